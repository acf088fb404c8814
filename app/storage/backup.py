"""Backing up and restoring a SQLite database with SQLite's online backup API.

The backup API copies the pages of a database as one read transaction sees them: in WAL
mode a server keeps reading and writing while it runs, and the copy is the database as
it was at one instant (what the write-ahead log held included), never a torn file.
Restoring goes through the same API the other way, so the target's write-ahead log and
shared-memory files stay consistent with it (copying a file over a database whose
`-wal` survives corrupts it).

PostgreSQL has its own tools (pg_dump, pg_restore): README, "Backups".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from app.storage.migrations import SCHEMA_VERSION

# Tables every appservices database has had since the first release.
_OUR_TABLES = frozenset({"schema_version", "app", "api_key", "user", "admin_key"})


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    schema_version: int
    bytes: int


def sqlite_path(database_url: str) -> Path | None:
    """The file a `sqlite:///...` DATABASE_URL names; None for another database."""
    parsed = urlparse(database_url)
    if parsed.scheme.split("+")[0] != "sqlite":
        return None
    path = unquote(parsed.path)[1:]
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


def back_up(source: Path, target: Path, *, replace: bool = False) -> Backup:
    """Copy the database at `source` to `target` while servers may be using it."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists() and not replace:
        raise BackupError(f"{target} exists; choose another file or pass --force")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # The copy holds every digest the database does: the owner's alone, like the database.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with _connect(source) as reader, _connect(partial) as copy:
            reader.backup(copy)  # every page in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        version = check(partial)
        partial.replace(target)  # a half-written backup never bears the name asked for
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(target, version, target.stat().st_size)


def restore(backup: Path, target: Path, *, replace: bool = False) -> Backup:
    """Make the database at `target` what `backup` holds.

    Refuses a file that is not an appservices database this release can migrate, and,
    unless `replace`, a target that already holds tables: a restore throws its rows away.
    """
    if not backup.exists():
        raise BackupError(f"there is no backup at {backup}")
    version = check(backup)
    if not replace and _has_tables(target):
        raise BackupError(
            f"{target} already holds a database; a restore replaces everything in it. Stop "
            "every server using it, then pass --force")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with _connect(backup) as source, _connect(target) as restored:
        source.backup(restored)
        restored.execute("PRAGMA journal_mode=WAL")  # as the service opens it
    return Backup(target, version, target.stat().st_size)


def check(path: Path) -> int:
    """The schema version of the appservices database at `path`, after checking that it
    is one, intact, and of a version this release can migrate."""
    try:
        with _connect(path) as connection:
            tables = {name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not _OUR_TABLES <= tables:
                raise BackupError(f"{path} is an SQLite database, but not one of appservices")
            (integrity,) = connection.execute("PRAGMA quick_check").fetchone()
            (version,) = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    except sqlite3.DatabaseError as error:  # not a database at all, or a damaged one
        raise BackupError(f"{path} is not a usable SQLite database: {error}") from error
    if integrity != "ok":
        raise BackupError(f"{path} is damaged: {integrity}")
    if not isinstance(version, int) or version < 1:
        raise BackupError(f"{path} records no schema version")
    if version > SCHEMA_VERSION:
        raise BackupError(
            f"{path} is at schema version {version}, made by a newer release; this one "
            f"knows up to {SCHEMA_VERSION}: restore it with that release or a later one")
    return version


def _has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with _connect(path) as connection:
        return connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is not None


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # A busy timeout as the service's: a restore waits for a server's write to finish.
    connection = sqlite3.connect(path, timeout=10)
    try:
        yield connection
    finally:
        connection.close()
