"""The `appservices` command: serve the service and manage admin keys.

`serve` and `admin create-key` work on this machine's configuration (the environment);
every other command is an HTTP client of the Admin API.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="appservices-auth")
def main() -> None:
    """appservices-auth: API-key authentication of Atlas App Services, self-hosted."""


def _default_workers() -> int:
    return os.cpu_count() or 1


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="APPSERVICES_HOST",
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              envvar="APPSERVICES_PORT", help="TCP port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              envvar="APPSERVICES_WORKERS", help="Worker processes [default: one per core].")
def serve(host: str, port: int, workers: int | None) -> None:
    """Run the service under gunicorn.

    \b
    Examples:
      appservices serve
      appservices serve --host 0.0.0.0 --port 9090 --workers 4
      DATABASE_URL=postgresql://app@db/appservices appservices serve
    """
    from gunicorn.app.base import BaseApplication

    from app import bootstrap_admin, create_app

    try:
        flask_app = create_app()
    except Exception as error:  # a configuration problem: say it in one line
        raise click.ClickException(f"cannot start: {error}") from error
    bootstrap_admin(flask_app)

    class Server(BaseApplication):
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers or _default_workers(),
                "worker_class": "sync",
                "accesslog": "-",
                "graceful_timeout": 10,
                "timeout": 30,
                "proc_name": "appservices",
            }
            # gunicorn >= 24 opens a control socket at ~/.gunicorn/gunicorn.ctl: one path
            # for every server of the user (two instances fight over it) and a management
            # interface nobody asked for. The service needs none.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return flask_app

    click.echo(f"appservices-auth listening on http://{host}:{port}", err=True)
    Server().run()


@main.group()
def admin() -> None:
    """Manage admin key pairs on this machine's database."""


@admin.command("create-key")
@click.option("--group", "groups", multiple=True, metavar="NAME",
              help="Grant this group (created when missing); repeat for several. "
                   "[default: default]")
@click.option("--description", default="created with appservices admin create-key",
              help="A note kept with the key.")
def create_key(groups: tuple[str, ...], description: str) -> None:
    """Create an admin key pair and print it once.

    \b
    Examples:
      appservices admin create-key
      appservices admin create-key --group payments --group search
    """
    from app import create_app, db
    from app.domain import admin as admin_domain
    from app.domain.errors import DomainError

    flask_app = create_app({"BOOTSTRAP_ADMIN": False})
    try:
        with flask_app.app_context(), db.database.connection_context():
            issued = admin_domain.create_admin_key(list(groups), description)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Public key:  {issued.admin_key.public_key}")
    click.echo(f"Private key: {issued.private_key}")
    for group in issued.groups:
        click.echo(f"Group:       {group.name} ({group.id})")
    click.echo("Keep the private key now: it is stored only as a digest and cannot be "
               "shown again.", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
