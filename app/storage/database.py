"""The database: a late-bound proxy, connections and transactions.

SQLite (the embedded default) keeps one connection per worker thread, opened on the
first request and reused: opening a connection per request, and re-running the
pragmas each time, more than halves the throughput of a trivial endpoint. Its write
transactions wait for the write lock by prompt retries (app.storage.sqlite).
PostgreSQL uses a pool (app.storage.postgres); a connection that broke (the server
restarted) is thrown away instead of going back to the pool.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import peewee

from app.storage.postgres import PooledPostgresqlDatabase

log = logging.getLogger(__name__)

database = peewee.DatabaseProxy()
M = TypeVar("M", bound=peewee.Model)

# What a database that went away (or never answered) raises: the one list every caller
# that answers "the database is unavailable" catches (app.domain.availability).
CONNECTION_ERRORS: tuple[type[Exception], ...] = (peewee.OperationalError,
                                                   peewee.InterfaceError)
# Any failure of the database, those above included.
DATABASE_ERRORS: tuple[type[Exception], ...] = (peewee.PeeweeException,)


def bind(db: peewee.Database) -> peewee.Database:
    """Make `db` the database every model and statement uses."""
    if database.obj is not None:
        # The proxy is the only way to the previous database (tests build several apps
        # in one process): its connections could never be used again, so close them.
        _close_connections(database.obj)
    database.initialize(db)
    return db


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


def try_transaction_lock(key: int) -> bool:
    """Take PostgreSQL's advisory lock `key` until the current transaction ends; False when
    another transaction holds it. Call it inside a transaction (`write_transaction`).

    Transaction-scoped on purpose: COMMIT or ROLLBACK releases it on the connection that
    took it, so it is correct behind a transaction pooler (PgBouncer's transaction mode)
    too. A session lock (`pg_try_advisory_lock`) taken there in one statement may be
    released by another statement on another server connection, which fails and leaves
    the lock held on the first for good.
    """
    if database.transaction_depth() == 0:
        raise RuntimeError("try_transaction_lock needs a transaction to hold the lock")
    row = database.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()
    return bool(row[0])


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
    except CONNECTION_ERRORS:
        log.warning("database ping failed")
        discard_connection()
        return False


def close_all() -> None:
    """Close every connection this process holds (before forking workers, at shutdown)."""
    _close_connections(database.obj)


def _close_connections(db: peewee.Database | None) -> None:
    if db is None:  # not connected yet (or a failed connect left the proxy unbound)
        return
    if isinstance(db, PooledPostgresqlDatabase):
        db.close_all()  # type: ignore[no-untyped-call]
    elif not db.is_closed():
        db.close()
