"""What the database holds, for /healthz: live client sessions, the database's size and
the schema version it records (beside the one this code writes, `CODE_SCHEMA_VERSION`).

Cheap enough to ask on every readiness probe: each process keeps the answer a few
seconds. SQLite counts the live sessions exactly (a range of the expires_at index, plus
the anonymous ones) and adds the write-ahead log to the file's pages; PostgreSQL gives
its planner's estimate of the session table's rows (`pg_class.reltuples`, refreshed by
autovacuum, which counts expired rows the pruner has not reached yet; an exact count
before the table was first analysed) and `pg_database_size`, so that a probe never scans a large
table.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import peewee

from app import clock
from app.models import Session
from app.storage import SCHEMA_VERSION, database, is_sqlite, recorded_schema_version

CACHE_SECONDS = 5.0
# The schema version this code migrates databases to. A database recording a higher one
# was migrated by a newer release: this server is the old one of a rolling upgrade.
CODE_SCHEMA_VERSION = SCHEMA_VERSION


@dataclass(frozen=True)
class Usage:
    sessions: int
    sessions_estimated: bool
    database_bytes: int
    schema_version: int


_cache: tuple[float, Usage] | None = None
_cache_lock = threading.Lock()


def usage() -> Usage:
    """The database's live sessions and size, at most CACHE_SECONDS old."""
    global _cache
    with _cache_lock:
        cached = _cache
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    measured = _measure()
    with _cache_lock:
        _cache = (time.monotonic(), measured)
    return measured


def forget() -> None:
    """Measure afresh at the next call (tests)."""
    global _cache
    with _cache_lock:
        _cache = None


def live_sessions_by_user(user_ids: list[str]) -> dict[str, int]:
    """How many live sessions each of these users holds (each at most
    MAX_SESSIONS_PER_USER); one grouped read over the (user, created_at, id) index."""
    if not user_ids:
        return {}
    rows = (Session.select(Session.user, peewee.fn.COUNT(Session.id))
            .where(Session.user.in_(user_ids)
                   & (Session.expires_at.is_null()
                      | (Session.expires_at > clock.timestamp())))
            .group_by(Session.user).tuples())
    return {str(user_id): int(count) for user_id, count in rows.iterator()}


def _measure() -> Usage:
    schema_version = recorded_schema_version()
    if is_sqlite():
        now = clock.timestamp()
        live = Session.select().where(Session.expires_at > now).count() + Session.select(
        ).where(Session.expires_at.is_null()).count()
        page_count = database.execute_sql("PRAGMA page_count").fetchone()[0]
        page_size = database.execute_sql("PRAGMA page_size").fetchone()[0]
        size = page_count * page_size
        path = database.obj.database
        if path != ":memory:":
            try:
                size += os.path.getsize(f"{path}-wal")
            except OSError:  # no write-ahead log right now
                pass
        return Usage(sessions=int(live), sessions_estimated=False, database_bytes=int(size),
                     schema_version=schema_version)
    estimate, size = database.execute_sql(
        "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'session'::regclass), "
        "pg_database_size(current_database())").fetchone()
    if estimate < 0:  # never analysed yet, so young and small: count it
        return Usage(sessions=int(Session.select().count()), sessions_estimated=False,
                     database_bytes=int(size), schema_version=schema_version)
    return Usage(sessions=int(estimate), sessions_estimated=True, database_bytes=int(size),
                 schema_version=schema_version)
