"""`appservices admin migrate | backup | restore`: the database's upkeep, on this machine.

Like the key-pair commands they take the server's configuration from the environment
(DATABASE_URL, APPSERVICES_INSTANCE_PATH). `backup` and `restore` are for SQLite; a
PostgreSQL database is backed up with pg_dump (README, "Backups").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from app.cli.admin_keys import server_database

if TYPE_CHECKING:
    from app.storage.backup import Backup


@click.command("migrate")
def migrate() -> None:
    """Bring the database's schema up to this release, then exit.

    Every server does this when it starts; run it first, with the new release, when you
    roll an upgrade across several servers (README, "Upgrading").

    \b
    Examples:
      appservices admin migrate
    """
    from app import storage

    with server_database():  # starting the service's database runs the migrations
        version = storage.recorded_schema_version()
    click.echo(f"The database is at schema version {version}.")


@click.command("backup")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write the backup to.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def backup(target: Path, force: bool) -> None:
    """Copy the SQLite database to a file, safely while servers use it.

    The copy is the database as it was at one instant (SQLite's online backup API);
    servers keep answering meanwhile. Keep SECRET_KEY (or the instance folder's
    secret_key file) with it: the signing keys in the database are encrypted with it.

    \b
    Examples:
      appservices admin backup --to /backups/appservices-$(date +%F).db
    """
    from app.storage import backup as backups

    copy = _run(lambda source: backups.back_up(source, target, replace=force))
    click.echo(f"Backed up the database (schema version {copy.schema_version}, "
               f"{copy.bytes} bytes) to {copy.path}.")


@click.command("restore")
@click.option("--from", "source", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file written by `appservices admin backup`.")
@click.option("--force", is_flag=True,
              help="Replace a database that already holds data (stop its servers first).")
def restore(source: Path, force: bool) -> None:
    """Make the SQLite database what a backup holds.

    The file must be an appservices database of this release's schema or an older one
    (the next start migrates it). A database that already holds data is replaced only
    with --force: stop every server using it first.

    \b
    Examples:
      appservices admin restore --from /backups/appservices-2026-11-30.db
    """
    from app.storage import backup as backups

    restored = _run(lambda target: backups.restore(source, target, replace=force))
    click.echo(f"Restored the database at {restored.path} (schema version "
               f"{restored.schema_version}) from {source}. Start the servers: the first to "
               "start migrates it if it is older than this release.")


def _run(action: Callable[[Path], Backup]) -> Backup:
    """Run `action` on the configured SQLite file; a refusal is one line and exit 1."""
    from app.config import ConfigError, Settings
    from app.storage import backup as backups

    try:
        database = backups.sqlite_path(Settings.from_env().DATABASE_URL)
        if database is None:
            raise backups.BackupError(
                "DATABASE_URL names a PostgreSQL database: back it up with pg_dump and "
                "restore it with pg_restore (README, \"Backups\")")
        return action(database)
    except (backups.BackupError, ConfigError) as error:
        raise click.ClickException(str(error)) from error
