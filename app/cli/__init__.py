"""The `appservices` command.

`serve` and `admin ...` (admin key pairs) work on this machine's configuration (the
environment and its database). Every other command is an HTTP client of the Admin API v3,
logged in with `appservices login`, like the App Services CLI it mirrors.
"""

from __future__ import annotations

from typing import Any

import click
import requests

from app import __version__
from app.cli.admin_keys import admin
from app.cli.api_keys import api_keys
from app.cli.apps import apps
from app.cli.config_files import pull, push
from app.cli.login import login, logout, whoami
from app.cli.logs import logs
from app.cli.maintenance import backup, migrate, restore
from app.cli.serve import serve
from app.cli.users import users


class _Commands(click.Group):
    """The command group; a network failure nobody turned into a message still gets one."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except requests.RequestException as error:
            raise click.ClickException(f"the request failed: {error}") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appservices")
def main() -> None:
    """appservices-auth: API-key authentication of Atlas App Services, self-hosted.

    Log in once with an admin key pair, then manage apps, their authentication
    providers (as files: pull, edit, push), their users, their server API keys and
    their logs.

    \b
    Examples:
      appservices login --api-key <public key> --private-api-key <private key>
      appservices apps create --name myapp
      appservices pull --local ./myapp --app myapp
      appservices push --local ./myapp
      appservices users create --type=api-key --app=<App ID> --name=<API Key Name>
      appservices logs list --app myapp --errors --since 1h

    \b
    Every command takes --help. Shell completion (bash; zsh and fish alike):
      eval "$(_APPSERVICES_COMPLETE=bash_source appservices)"
    """


for maintenance in (migrate, backup, restore):
    admin.add_command(maintenance)
for command in (login, logout, whoami, apps, users, api_keys, logs, pull, push, serve,
                admin):
    main.add_command(command)
