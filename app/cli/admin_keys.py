"""`appservices admin ...`: admin key pairs, made and revoked on this machine's database.

These commands open the server's database directly, like the server does (they take its
configuration from the same environment), so they also work when no admin can log in:
that is how a team recovers from a leaked pair, or from having none left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from app.cli import output
from app.cli.options import confirm, yes_option

T = TypeVar("T")

PAIR_COLUMNS: list[output.Column] = [
    ("PUBLIC KEY", lambda pair: pair["public_key"]),
    ("STATUS", lambda pair: output.status(pair["disabled"])),
    ("SESSIONS", lambda pair: pair["live_sessions"]),
    ("GROUPS", lambda pair: ", ".join(pair["groups"])),
    ("CREATED", lambda pair: output.timestamp(pair["created_at"])),
    ("DESCRIPTION", lambda pair: pair["description"]),
]


@click.group()
def admin() -> None:
    """Manage admin key pairs and the database itself on this machine.

    Run it with the server's configuration (the same DATABASE_URL /
    APPSERVICES_INSTANCE_PATH, from the same folder): it writes to the database directly.

    \b
    Examples:
      appservices admin create-key
      appservices admin create-key --group payments
      appservices admin list-keys
      appservices admin disable-key abcdefgh
      appservices admin migrate
      appservices admin backup --to /backups/appservices.db
    """


@contextmanager
def server_database() -> Iterator[None]:
    """Open the server's database with the server's configuration, as the server would."""
    from app import storage
    from app.factory import create_app

    try:
        flask_app = create_app({"BOOTSTRAP_ADMIN": False})
    except Exception as error:  # a configuration problem: say it in one line, as serve does
        raise click.ClickException(f"cannot open the server's database: {error}") from error
    with flask_app.app_context(), storage.database.connection_context():
        yield
    storage.close_all()


def _run(action: Callable[[], T]) -> T:
    """Run a domain action on the server's database; a refusal is a message and exit 1."""
    from app.domain.errors import DomainError

    try:
        with server_database():
            return action()
    except DomainError as error:
        raise click.ClickException(error.message) from error


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
    from app.domain import admin as admin_domain

    issued = _run(lambda: admin_domain.create_admin_key(list(groups), description))
    click.echo(f"Public key:  {issued.admin_key.public_key}")
    click.echo(f"Private key: {issued.private_key}")
    for group in issued.groups:
        click.echo(f"Group:       {group.name} ({group.id})")
    click.echo("Keep the private key now: it is stored only as a salted hash and cannot be "
               "shown again.", err=True)


@admin.command("list-keys")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_keys(as_json: bool) -> None:
    """List the admin key pairs: public key, status, live sessions, groups.

    Private keys are never shown: only a salted hash of each is stored.

    \b
    Examples:
      appservices admin list-keys
      appservices admin list-keys --json
    """
    from dataclasses import asdict

    from app.domain import admin as admin_domain

    pairs = [asdict(pair) for pair in _run(admin_domain.list_admin_keys)]
    output.emit_rows(pairs, PAIR_COLUMNS, as_json=as_json,
                     empty="No admin key pairs. Create one with: appservices admin create-key")


@admin.command("disable-key")
@click.argument("public_key")
def disable_key(public_key: str) -> None:
    """Disable a pair: it cannot log in, and every session it opened ends now.

    Its refresh and access tokens stop working at once. `enable-key` lets it log in
    again (the ended sessions stay ended). Disabling the last enabled pair is allowed:
    `create-key` makes a new one on this machine at any time.

    \b
    Examples:
      appservices admin disable-key abcdefgh
      appservices admin migrate
      appservices admin backup --to /backups/appservices.db
    """
    from app.domain import admin as admin_domain

    ended, enabled_left = _run(lambda: (admin_domain.disable_admin_key(public_key),
                                        admin_domain.count_enabled_admin_keys()))
    click.echo(f"Disabled admin key pair {public_key}; {_sessions(ended)} ended.")
    _warn_if_none_enabled(enabled_left)


@admin.command("enable-key")
@click.argument("public_key")
def enable_key(public_key: str) -> None:
    """Let a disabled pair log in again.

    \b
    Examples:
      appservices admin enable-key abcdefgh
    """
    from app.domain import admin as admin_domain

    _run(lambda: admin_domain.enable_admin_key(public_key))
    click.echo(f"Enabled admin key pair {public_key}.")


@admin.command("delete-key")
@click.argument("public_key")
@yes_option
def delete_key(public_key: str, yes: bool) -> None:
    """Delete a pair for good; every session it opened ends now.

    Asks for confirmation first; --yes skips the question (needed without a terminal).
    Its groups and their apps stay (grant them to another pair with
    `create-key --group NAME`). A pair configured by APPSERVICES_ADMIN_PUBLIC_KEY is
    made again at the server's next start: change its private key there, or disable
    it instead. Deleting the last enabled pair is allowed: `create-key` makes a new one
    on this machine at any time.

    \b
    Examples:
      appservices admin delete-key abcdefgh
      appservices admin delete-key abcdefgh --yes
    """
    from app.domain import admin as admin_domain

    confirm(f"Delete admin key pair {public_key} and end its sessions?", yes=yes,
            action="delete an admin key pair")
    ended, enabled_left = _run(lambda: (admin_domain.delete_admin_key(public_key),
                                        admin_domain.count_enabled_admin_keys()))
    click.echo(f"Deleted admin key pair {public_key}; {_sessions(ended)} ended.")
    if public_key == _configured_public_key():
        output.note("Note: APPSERVICES_ADMIN_PUBLIC_KEY names this pair, so the server makes "
                    "it again at its next start with APPSERVICES_ADMIN_PRIVATE_KEY. If that "
                    "private key leaked, change it there (or disable the pair instead).")
    _warn_if_none_enabled(enabled_left)


def _sessions(count: int) -> str:
    return f"{count} session{'' if count == 1 else 's'}"


def _configured_public_key() -> str:
    from app.config import Settings

    return Settings.from_env().ADMIN_PUBLIC_KEY


def _warn_if_none_enabled(enabled_left: int) -> None:
    if enabled_left == 0:
        output.note("No enabled admin key pair is left: nobody can use the Admin API or the "
                    "console until you create one with: appservices admin create-key")


@admin.command("rotate-signing-key")
def rotate_signing_key() -> None:
    """Make a new key sign client tokens from now on, logging nobody out.

    The previous key stays in /.well-known/jwks.json, and the tokens it signed keep
    working, until the longest-lived of them has expired; then it leaves the JWKS.
    Every server sees the new key within seconds.

    \b
    Examples:
      appservices admin rotate-signing-key
    """
    from app.domain import signing_keys

    key = _run(signing_keys.rotate)
    click.echo(f"New signing key {key.kid} ({key.algorithm}) signs from now on.")
    click.echo("The previous key stays published until the tokens it signed have expired.")
