"""`appservices serve`: run the service under gunicorn on this machine's configuration."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

import click
from flask import Flask

# gunicorn's default access line, then the request's correlation id (the response header
# X-Appservices-Request-Id): the id an error's `link` names finds its line in the log.
# The request line holds no secret: tokens and keys travel in headers and bodies only.
ACCESS_LOG_FORMAT = ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
                     "co_id=%({x-appservices-request-id}o)s")


def _default_workers() -> int:
    return os.cpu_count() or 1


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: other machines may reach it
        return False


def exposure_warning(host: str, public_url: str, allowed_hosts: str) -> str | None:
    """A warning when other machines can reach the server but it does not know its URL.

    Without PUBLIC_URL the Client API's location answers only requests whose Host is
    in ALLOWED_HOSTS (this machine's own names by default): SDKs elsewhere would be
    refused until the operator says how clients reach the server.
    """
    if public_url or _is_loopback(host):
        return None
    return (f"warning: listening on {host} without PUBLIC_URL; the Client API's location "
            f"answers only requests for the hosts in ALLOWED_HOSTS ({allowed_hosts}). Set "
            "PUBLIC_URL to the address clients use, e.g. https://auth.example.com.")


def port_in_use(host: str, port: int) -> bool:
    """Tell whether something already listens on `host`:`port` (as gunicorn would bind it).

    Asked before anything else, so that a second server started by mistake says so at
    once instead of retrying its bind and leaving a half-started process behind.
    """
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((address, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE  # anything else: gunicorn will say it
    return False


@click.command()
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
    if port_in_use(host, port):
        raise click.ClickException(f"port {port} is in use: pass --port")

    from gunicorn.app.base import BaseApplication

    from app.factory import bootstrap_admin, create_app

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
                "access_log_format": ACCESS_LOG_FORMAT,
                "graceful_timeout": 10,
                "timeout": 30,
                "proc_name": "appservices",
                # Said once the port is bound, never before: "listening" must be true.
                "when_ready": lambda _arbiter: click.echo(
                    f"appservices-auth listening on http://{host}:{port}", err=True),
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

    warning = exposure_warning(host, flask_app.config["PUBLIC_URL"],
                               flask_app.config["ALLOWED_HOSTS"])
    if warning:
        click.echo(warning, err=True)
    Server().run()
