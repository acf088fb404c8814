"""DATABASE_URL → the database it names, bound as the one the service uses.

The URL is taken apart by peewee's `playhouse.db_url.parse` (user, password, host, port,
database and the query's options, numbers and `none` already converted); the database
object is ours, since both adapters differ from peewee's (app.storage.sqlite,
app.storage.postgres) and carry options a URL cannot say (the pool's size, SQLite's
pragmas, files only the owner may read). peewee's `db_url.connect` does not fit: it
refuses a PostgreSQL URL without a database name (ours means `postgres`) and leaves the
path percent-encoded.

    sqlite:///relative/file.db  sqlite:////absolute/file.db  sqlite://  (in memory)
    postgresql://user:password@host:port/db?sslmode=require&prepare_threshold=none
"""

from __future__ import annotations

import logging
import os
import stat
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

import peewee
from playhouse import db_url

from app.storage.checkpoints import DEFAULT_CHECKPOINT_PAGES
from app.storage.database import bind
from app.storage.postgres import PooledPostgresqlDatabase
from app.storage.sqlite import BUSY_TIMEOUT_MS, SqliteDatabase

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # Writers wait for each other instead of failing with "database is locked"
    # (write transactions by prompt retries: app.storage.sqlite).
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "normal",
}
# A scheme's dialect suffix (postgresql+psycopg, as SQLAlchemy writes them) is ignored.
_SQLITE_SCHEMES = {"sqlite"}
_POSTGRES_SCHEMES = {"postgres", "postgresql"}


def connect_database(url: str, *, pool_size: int = 8,
                     checkpoint_pages: int = DEFAULT_CHECKPOINT_PAGES) -> peewee.Database:
    """Build the database object that `url` describes and bind the proxy to it.

    `checkpoint_pages`: SQLite only, how long the write-ahead log may grow before a
    commit copies it back (app.storage.checkpoints, when a thread does it instead)."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    parts: dict[str, Any] = db_url.parse(  # type: ignore[no-untyped-call]
        url, unquote_password=True, unquote_user=True)
    db: peewee.Database
    if scheme in _SQLITE_SCHEMES:
        db = _sqlite(unquote(parsed.path)[1:] or ":memory:", checkpoint_pages)
    elif scheme in _POSTGRES_SCHEMES:
        db = _postgres(parts, parsed.query, pool_size)
    else:
        raise ValueError(
            f"DATABASE_URL scheme {parsed.scheme!r} is not supported; "
            "use sqlite:///path or postgresql://user@host/db"
        )
    return bind(db)


def _sqlite(path: str, checkpoint_pages: int) -> peewee.Database:
    if path != ":memory:":
        # A new folder is the owner's alone (an existing one is left as it is).
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
        _owner_only_sqlite_files(path)
    return SqliteDatabase(path, pragmas={**SQLITE_PRAGMAS, "wal_autocheckpoint": checkpoint_pages},
                          timeout=BUSY_TIMEOUT_MS / 1000)


def _postgres(parts: dict[str, Any], query: str, pool_size: int) -> peewee.Database:
    database = unquote(parts.pop("database")) or "postgres"
    parts.setdefault("user", None)
    parts.setdefault("password", None)
    parts.setdefault("host", None)
    parts.setdefault("port", None)
    parts.pop("prepare_threshold", None)
    parts.update(_prepare_threshold(query))
    return PooledPostgresqlDatabase(
        database,
        max_connections=pool_size,
        stale_timeout=300,
        timeout=10,
        # psycopg 3: a statement run a few times on a connection is prepared on the
        # server, so PostgreSQL stops planning the hot paths' queries anew each time.
        prefer_psycopg3=True,
        **parts,
    )


def _prepare_threshold(query: str) -> dict[str, Any]:
    """`prepare_threshold` as a number of runs, or `none` never to prepare statements (for
    a pooler that cannot keep them, such as PgBouncer before 1.21 in transaction mode).
    The other query parameters go to libpq as they are (`sslmode`)."""
    threshold = dict(parse_qsl(query)).get("prepare_threshold")
    if threshold is None:
        return {}
    if threshold.lower() in {"none", "off"}:
        return {"prepare_threshold": None}
    if threshold.isdigit():
        return {"prepare_threshold": int(threshold)}
    raise ValueError(
        f"DATABASE_URL: prepare_threshold must be a number or 'none', not {threshold!r}"
    )


def _owner_only_sqlite_files(path: str) -> None:
    """Make the database file, and the files SQLite keeps beside it, the owner's alone.

    The database holds key digests, password hashes and session rows: nobody but the
    service's user has any business reading it. SQLite creates a new file with the
    process's umask (0644, usually), so the file is created here first, empty (which
    SQLite takes for an empty database) and 0600; SQLite gives its -wal and -shm files
    the mode of the database file. Files an older release left readable by everyone
    are tightened.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except FileNotFoundError:
            continue
        except OSError as error:  # not ours to change (another owner): say so, carry on
            log.warning("could not make %s readable by its owner only: %s", name, error)
