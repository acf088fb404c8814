"""The database: a late-bound proxy, the base model, connections and transactions.

SQLite (the embedded default) keeps one connection per worker thread, opened on the
first request and reused: opening a connection per request, and re-running the
pragmas each time, more than halves the throughput of a trivial endpoint. Its write
transactions wait for the write lock by prompt retries (app.sqlite_writes).
PostgreSQL uses a pool (app.postgres_pool); a connection that broke (the server
restarted) is thrown away instead of going back to the pool.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlparse

import peewee

from app import clock
from app.postgres_pool import PooledPostgresqlDatabase
from app.sqlite_writes import BUSY_TIMEOUT_MS, SqliteDatabase

log = logging.getLogger(__name__)

database = peewee.DatabaseProxy()
M = TypeVar("M", bound=peewee.Model)

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # Writers wait for each other instead of failing with "database is locked"
    # (write transactions by prompt retries: app.sqlite_writes).
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "normal",
}

_object_id_counter = itertools.count(secrets.randbelow(0xFFFFFF))
_object_id_process_part = secrets.token_bytes(5)


def _reseed_object_ids() -> None:
    # gunicorn imports the app once and forks its workers: without new random bytes
    # and a new counter, two workers would mint the same ids in the same second.
    global _object_id_counter, _object_id_process_part
    _object_id_counter = itertools.count(secrets.randbelow(0xFFFFFF))
    _object_id_process_part = secrets.token_bytes(5)


os.register_at_fork(after_in_child=_reseed_object_ids)


def new_object_id() -> str:
    """Return a new 24-hex-character id laid out like a MongoDB ObjectId.

    Clients (realm-core) parse ids as ObjectIds, so ours must have that shape:
    4 bytes of Unix time, 5 random bytes per process, a 3-byte counter.
    """
    seconds = clock.timestamp() & 0xFFFFFFFF
    counter = next(_object_id_counter) & 0xFFFFFF
    raw = (
        seconds.to_bytes(4, "big") + _object_id_process_part + counter.to_bytes(3, "big")
    )
    return raw.hex()


def is_object_id(value: str) -> bool:
    """Tell whether `value` has the shape of an id this service hands out."""
    if len(value) != 24:
        return False
    try:
        int(value, 16)
    except ValueError:
        return False
    return value == value.lower()


class JSONField(peewee.TextField):
    """A JSON document kept as text, so that SQLite and PostgreSQL store it alike."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    """Base of every model: ids are ObjectId-shaped strings, bound to the shared proxy."""

    id = peewee.CharField(primary_key=True, max_length=24, default=new_object_id)

    class Meta:
        database = database
        legacy_table_names = False


def connect_database(url: str, *, pool_size: int = 8) -> peewee.Database:
    """Build the database object that `url` describes and bind the proxy to it."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    db: peewee.Database
    if scheme == "sqlite":
        # sqlite:///relative/file.db and sqlite:////absolute/file.db, as in SQLAlchemy.
        path = unquote(parsed.path)[1:] or ":memory:"
        if path != ":memory:":
            # A new folder is the owner's alone (an existing one is left as it is).
            os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
            _owner_only_sqlite_files(path)
        db = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)
    elif scheme in {"postgres", "postgresql"}:
        options = _postgres_options(parsed.query)
        db = PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")) or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
            max_connections=pool_size,
            stale_timeout=300,
            timeout=10,
            # psycopg 3: a statement run a few times on a connection is prepared on the
            # server, so PostgreSQL stops planning the hot paths' queries anew each time.
            prefer_psycopg3=True,
            **options,
        )
    else:
        raise ValueError(
            f"DATABASE_URL scheme {parsed.scheme!r} is not supported; "
            "use sqlite:///path or postgresql://user@host/db"
        )
    if database.obj is not None:
        # The proxy is the only way to the previous database (tests build several apps
        # in one process): its connections could never be used again, so close them.
        _close_connections(database.obj)
    database.initialize(db)
    return db


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


def _postgres_options(query: str) -> dict[str, Any]:
    """The DATABASE_URL's query parameters, for psycopg: libpq's as they are (`sslmode`),
    and `prepare_threshold` as a number of runs, or `none` never to prepare statements
    (for a pooler that cannot keep them, such as PgBouncer before 1.21 in transaction mode).
    """
    options: dict[str, Any] = dict(parse_qsl(query))
    threshold = options.get("prepare_threshold")
    if threshold is not None:
        if threshold.lower() in {"none", "off"}:
            options["prepare_threshold"] = None
        elif threshold.isdigit():
            options["prepare_threshold"] = int(threshold)
        else:
            raise ValueError(
                f"DATABASE_URL: prepare_threshold must be a number or 'none', not {threshold!r}"
            )
    return options


def is_sqlite() -> bool:
    """Tell whether the bound database is SQLite."""
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a multi-row change as one transaction that takes the write lock at once.

    On SQLite, BEGIN IMMEDIATE serialises writers from the first statement, so a
    check-then-insert (the key limits) cannot interleave with another writer's. On
    PostgreSQL the caller also locks the owner row with `lock_for_update`.
    """
    if is_sqlite() and database.transaction_depth() == 0:
        with database.atomic(lock_type="IMMEDIATE"):
            yield
    else:
        with database.atomic():
            yield


def lock_for_update(query: peewee.ModelSelect[M]) -> peewee.ModelSelect[M]:
    """Add FOR UPDATE where the database has it (SQLite's write lock already serialises)."""
    if getattr(database.obj, "for_update", False):
        return query.for_update()
    return query


def open_connection() -> None:
    """Make sure this thread has a connection (reused for SQLite, from the pool otherwise)."""
    database.connect(reuse_if_open=True)


def release_connection() -> None:
    """Give a pooled connection back at the end of a request; SQLite keeps its own."""
    if is_sqlite() or database.is_closed():
        return
    if database.in_transaction():  # a view left a transaction open: never pool it half-done
        database.rollback()
    database.close()


def discard_connection() -> None:
    """Drop this thread's connection for good, e.g. after the server went away."""
    if database.is_closed():
        return
    db = database.obj
    try:
        if isinstance(db, PooledPostgresqlDatabase):
            db.manual_close()  # type: ignore[no-untyped-call]
        else:
            db.close()
    except peewee.PeeweeException:
        log.warning("closing a broken database connection failed", exc_info=True)


def ping() -> bool:
    """Tell whether the database answers a trivial query; reconnect next time if not."""
    try:
        open_connection()
        database.execute_sql("SELECT 1").fetchone()
        return True
    except (peewee.OperationalError, peewee.InterfaceError):
        log.warning("database ping failed")
        discard_connection()
        return False


def close_all() -> None:
    """Close every connection this process holds (before forking workers, at shutdown)."""
    _close_connections(database.obj)


def _close_connections(db: peewee.Database) -> None:
    if isinstance(db, PooledPostgresqlDatabase):
        db.close_all()  # type: ignore[no-untyped-call]
    elif not db.is_closed():
        db.close()
