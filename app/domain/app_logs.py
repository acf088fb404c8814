"""App logs: an entry per login, refresh, logout and key change, in the original's shape.

The original's Admin API served an app's logs (`GET /groups/{groupId}/apps/{appId}/logs`)
and every error's `link` pointed at the request's entry. This server keeps the two kinds
of entry that concern authentication: `AUTH` (logins of every provider, refreshes,
logouts, and their failures, throttled ones included) and `API_KEY` (creating, enabling,
disabling, deleting and rolling keys, by users and by admins). Any other type of the
original's list is a valid filter that finds nothing.

What an entry holds is what the request's answer told its client (status, error,
error_code), where it came from (address, and the SDK's own description of its device)
and who it concerned: never a key value, token, password or private key. The HTTP layer
(app.http.app_log) makes one entry per such request, right after the answer is made: a
failed request's is written at once, a successful one's with its process's next batch
(`record`, `_Batch`).

Entries are listed newest first, at most 100 a page. A page that leaves entries out
names the next one as the original did: `nextEndDate` (the time of the next page's first
entry, to send back as `end_date`, which is inclusive) and, when this page's last entry
shares that time, `nextSkip` (how many entries of that time to skip). Entries live
`LOG_RETENTION_DAYS`; the pruner (app.domain.pruning) deletes older ones in batches.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import peewee

from app import clock
from app.domain import settings, text
from app.domain.errors import InvalidParameter
from app.models import App, AppLog
from app.storage import (
    database,
    is_object_id,
    new_object_id,
    open_connection,
    release_connection,
    write_transaction,
)
from app.storage.background import ProcessThread

AUTH = "AUTH"
API_KEY = "API_KEY"
# Every type the original's document lists; only AUTH and API_KEY entries are kept here.
TYPES = (
    "TRIGGER_FAILURE", "TRIGGER_ERROR_HANDLER", "DB_TRIGGER", "AUTH_TRIGGER",
    "SCHEDULED_TRIGGER", "FUNCTION", "SERVICE_FUNCTION", "STREAM_FUNCTION",
    "SERVICE_STREAM_FUNCTION", AUTH, "WEBHOOK", "ENDPOINT", "PUSH", "API", API_KEY,
    "GRAPHQL", "SYNC_CONNECTION_START", "SYNC_CONNECTION_END", "SYNC_SESSION_START",
    "SYNC_SESSION_END", "SYNC_CLIENT_WRITE", "SYNC_ERROR", "SYNC_OTHER",
    "SCHEMA_ADDITIVE_CHANGE", "SCHEMA_GENERATION", "SCHEMA_VALIDATION", "LOG_FORWARDER",
)
KEPT_TYPES = (AUTH, API_KEY)
PAGE_LIMIT = 100
# How SDKs describe themselves in a login's options.device -> the entry's field.
DEVICE_FIELDS = {"platform": "platform", "platformVersion": "platform_version",
                 "sdk": "sdk_name", "sdkVersion": "sdk_version"}
FIELD_LENGTH = 128
_MESSAGE_LENGTH = 512
_ERROR_LENGTH = 4096
_DAY_MS = 24 * 3600 * 1000

log = logging.getLogger(__name__)


@dataclass
class NewEntry:
    """An entry about to be written: what the HTTP layer learnt of one request."""

    app_id: str
    co_id: str
    type: str
    request_url: str
    request_method: str
    started: int  # Unix milliseconds
    completed: int
    status: int
    auth_event: dict[str, str] | None = None
    user_id: str | None = None
    remote_ip_address: str | None = None
    error: str | None = None
    error_code: str | None = None
    device: dict[str, str] = field(default_factory=dict)  # entry field -> value
    messages: list[str] = field(default_factory=list)


def now_ms() -> int:
    """The clock's now in Unix milliseconds, the precision of an entry's times."""
    return int(clock.now().timestamp() * 1000)


def device_fields(device: Any) -> dict[str, str]:
    """The entry fields a login's `options.device` describes (platform, SDK and versions).

    Client-supplied: kept as data, without control characters, at most 128 characters
    each, whatever type it came as. The console escapes it when it shows it.
    """
    if not isinstance(device, dict):
        return {}
    return {name: _clean(device[sent], FIELD_LENGTH)
            for sent, name in DEVICE_FIELDS.items() if device.get(sent) not in (None, "")}


def _clean(value: Any, length: int) -> str:
    return text.without_control_characters(str(value))[:length]


def record(entry: NewEntry) -> None:
    """Keep one entry: at once if its request failed (its error's `link` opens it), or
    with the next batch (`_batch`) if it succeeded and APP_LOG_BATCH_MS is not 0."""
    row = _row(entry)
    if entry.status >= 400 or settings.current().app_log_batch_ms == 0:
        with write_transaction():
            _insert([row])
        return
    _batch.add(row)


def flush() -> int:
    """Write this process's entries still waiting for their batch, now; return how many."""
    return _batch.write()


def write_due() -> None:
    """Write this process's batch if it is due (APP_LOG_BATCH_MS has passed since its
    first entry, or it is full). The HTTP layer calls it on a request's thread once the
    answer has been sent (app.http.app_log), so that a busy server's batches are written
    there; a failure is logged, never raised: the answer is gone already."""
    if not _batch.due():
        return
    try:
        open_connection()
        try:
            _batch.write()
        finally:
            release_connection()
    except Exception:  # a database hiccup must not reach the WSGI server
        log.warning("could not write a batch of app log entries", exc_info=True)


class _Batch:
    """Successful requests' entries, written together every APP_LOG_BATCH_MS.

    A login took a write transaction of its own for its entry: on SQLite a commit of
    four more pages, ~15% of a login. Written together, a hundred entries share one
    transaction and one prepared INSERT run for every row. On a busy server the batch
    is written by a request's own thread, after its answer has been sent (`write_due`),
    so that no other thread of the process competes with the request threads for the
    interpreter while it holds the database's write lock (the two ways were not measured
    apart: bench/costs.py shows the entries' cost as they are written now); a thread of
    each process (started with the first entry: threads do not survive a fork) writes
    only what no request came to write, when a server goes quiet. An entry
    waits about APP_LOG_BATCH_MS (100) before other servers' readers see it, at most
    twice that; this process's own readers write the batch first. A process that dies
    loses the entries of its current batch, never an error's (those are written before
    the answer leaves).
    """

    _MOST = 500  # entries per INSERT; a fuller batch is written without waiting

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []
        self._first_at = 0.0  # time.monotonic() when the waiting batch began
        self._database: object = None  # the database the waiting rows belong to
        self._lock = threading.Lock()
        self._thread = ProcessThread("appservices-app-log", self._run)

    def add(self, row: tuple[Any, ...]) -> None:
        with self._lock:
            if self._database is not database.obj:  # another app bound (tests): start anew
                self._rows, self._database = [], database.obj
            if not self._rows:
                self._first_at = time.monotonic()
            self._rows.append(row)
        self._thread.ensure_running(at_exit=self.write)

    def _waited(self) -> float:
        """Seconds the oldest waiting entry has waited (0 when none waits)."""
        return time.monotonic() - self._first_at if self._rows else 0.0

    def due(self) -> bool:
        interval = settings.current().app_log_batch_ms / 1000
        return bool(self._rows) and (len(self._rows) >= self._MOST
                                     or self._waited() >= interval)

    def _run(self) -> None:
        while True:
            # Looked up again at least every second: the interval is a setting (tests
            # bind apps with other settings to one process).
            interval = settings.current().app_log_batch_ms / 1000 or 1.0  # 0: none batched
            time.sleep(min(interval, 1.0))
            # A batch twice as old as it should be: no request came by to write it.
            if self._waited() < 2 * interval:
                continue
            try:
                self.write(connect=True)
            except Exception:  # a database hiccup must not stop the writer for good
                log.warning("could not write a batch of app log entries", exc_info=True)

    def write(self, *, connect: bool = False) -> int:
        """Write the waiting entries; `connect`: on a connection of this thread's own
        (the writer thread's), opened only when there is something to write."""
        with self._lock:
            rows, self._rows = self._rows, []
            if self._database is not database.obj:
                rows = []  # entries of a database no longer bound here: not ours to write
        if not rows:
            return 0
        with database.connection_context() if connect else contextlib.nullcontext():
            for start in range(0, len(rows), self._MOST):
                with write_transaction():
                    _insert(rows[start:start + self._MOST])
        return len(rows)


_batch = _Batch()


# The columns an entry is written with, in the order of `_row`'s values. Written by one
# prepared INSERT run for many rows (the driver's executemany): building model instances
# and a query per entry cost a login and a refresh more than their own work (bench/).
_COLUMNS = ("id", "app_id", "co_id", "type", "auth_event", "request_url", "request_method",
            "started", "completed", "user_id", "remote_ip_address", "status", "error",
            "error_code", "platform", "platform_version", "sdk_name", "sdk_version",
            "messages")


def _row(entry: NewEntry) -> tuple[Any, ...]:
    # What the client chose (the path, a forwarded address, what an error repeats of it)
    # is kept as data without control characters: PostgreSQL refuses a NUL in text.
    device = entry.device
    return (
        new_object_id(), entry.app_id, entry.co_id, entry.type,
        None if entry.auth_event is None else _json(entry.auth_event),
        _clean(entry.request_url, 2048), _clean(entry.request_method, 16), entry.started,
        entry.completed, entry.user_id,
        None if entry.remote_ip_address is None else _clean(entry.remote_ip_address, 64),
        entry.status, None if entry.error is None else _clean(entry.error, _ERROR_LENGTH),
        None if entry.error_code is None else _clean(entry.error_code, 64),
        device.get("platform"), device.get("platform_version"), device.get("sdk_name"),
        device.get("sdk_version"),
        _json([_clean(message, _MESSAGE_LENGTH) for message in entry.messages]),
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))  # as JSONField stores it


@functools.cache
def _insert_sql(param: str) -> str:
    """The INSERT of `_COLUMNS`, with the database's parameter mark: written once each."""
    marks = ", ".join([param] * len(_COLUMNS))
    names = ", ".join(f'"{name}"' for name in _COLUMNS)
    return f'INSERT INTO "{AppLog._meta.table_name}" ({names}) VALUES ({marks})'  # noqa: S608


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Write `rows` (`_row`'s tuples) with one prepared statement, in the caller's
    transaction."""
    sql = _insert_sql(database.param)
    # The driver's own errors become peewee's, as every other statement's do
    # (app.domain.availability tells a database that is down from one that refused).
    with peewee.__exception_wrapper__:  # type: ignore[attr-defined]
        cursor = database.cursor()
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class LogQuery:
    """The filters of a listing, checked (`parse_query`)."""

    co_id: str | None = None
    errors_only: bool = False
    user_id: str | None = None
    start: int | None = None  # exclusive, Unix milliseconds
    end: int | None = None  # inclusive
    skip: int = 0
    limit: int = PAGE_LIMIT
    type: str | None = None


@dataclass(frozen=True)
class LogPage:
    """One page of entries, newest first, and where the next page starts (None: last)."""

    entries: list[AppLog]
    next_end: int | None = None
    next_skip: int | None = None


def parse_time(value: str, name: str) -> int:
    """An ISO 8601 date and time (UTC when it names no offset) as Unix milliseconds."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidParameter(
            f"invalid query parameter '{name}': expected an ISO 8601 date and time, such "
            f"as 2024-05-01T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def iso(milliseconds: int) -> str:
    """Unix milliseconds as the original wrote them: `2022-12-08T18:24:48.409Z`."""
    moment = datetime.fromtimestamp(milliseconds / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milliseconds % 1000:03d}Z"


def parse_query(*, co_id: str | None = None, errors_only: bool = False,
                user_id: str | None = None, start_date: str | None = None,
                end_date: str | None = None, skip: int | None = None,
                limit: int | None = None, entry_type: str | None = None) -> LogQuery:
    """Check a listing's filters; a bad one is a 400 naming it."""
    if entry_type is not None and entry_type not in TYPES:
        raise InvalidParameter(f"invalid query parameter 'type': must be one of "
                               f"{', '.join(TYPES)}")
    if skip is not None and skip < 0:
        raise InvalidParameter("invalid query parameter 'skip': must be 0 or more")
    if limit is not None and not 1 <= limit <= PAGE_LIMIT:
        raise InvalidParameter(f"invalid query parameter 'limit': must be between 1 and "
                               f"{PAGE_LIMIT}")
    return LogQuery(
        co_id=co_id or None, errors_only=errors_only, user_id=user_id or None,
        start=None if not start_date else parse_time(start_date, "start_date"),
        end=None if not end_date else parse_time(end_date, "end_date"),
        skip=skip or 0, limit=PAGE_LIMIT if limit is None else limit, type=entry_type,
    )


def _matching(app: App, query: LogQuery) -> peewee.Expression:
    where = AppLog.app == app.id
    if query.type is not None:
        where &= AppLog.type == query.type
    if query.co_id is not None:
        # Not an id at all: nothing matches (and nothing odd reaches the database).
        where &= AppLog.co_id == (query.co_id if is_object_id(query.co_id) else "")
    if query.errors_only:
        where &= AppLog.error_code.is_null(False)
    if query.user_id is not None:
        where &= AppLog.user_id == query.user_id[:24]
    if query.start is not None:
        where &= AppLog.started > query.start
    if query.end is not None:
        where &= AppLog.started <= query.end
    return where


def search(app: App, query: LogQuery) -> LogPage:
    """The app's entries matching `query`, newest first, one page."""
    if query.type is not None and query.type not in KEPT_TYPES:
        return LogPage([])
    flush()  # this process's waiting entries first: a reader sees its own requests
    where = _matching(app, query)
    order = (AppLog.started.desc(), AppLog.id.desc())
    rows = list(AppLog.select().where(where).order_by(*order)
                .offset(query.skip).limit(query.limit + 1))
    page = rows[:query.limit]
    if len(rows) <= query.limit:
        return LogPage(page)
    last, following = page[-1], rows[query.limit]
    # The next page starts with `following`: it ends at its time (`end_date` is inclusive).
    if following.started != last.started:
        return LogPage(page, next_end=following.started)
    # Entries of that time were on this page (or skipped before it): skip them, which in
    # this order are the entries of that time with a greater id than `following`'s.
    same_time_before = AppLog.select().where(
        where & (AppLog.started == following.started) & (AppLog.id > following.id)).count()
    return LogPage(page, next_end=following.started, next_skip=same_time_before)


def entry_view(entry: AppLog, app: App) -> dict[str, Any]:
    """An entry as the Admin API shows it: the original's field names, absent when empty."""
    view: dict[str, Any] = {
        "_id": entry.id, "co_id": entry.co_id, "type": entry.type,
        "domain_id": app.domain_id, "app_id": app.id, "group_id": app.group_id,
        "request_url": entry.request_url, "request_method": entry.request_method,
        "started": iso(entry.started), "completed": iso(entry.completed),
        "user_id": entry.user_id, "remote_ip_address": entry.remote_ip_address,
        "status": entry.status, "error": entry.error, "error_code": entry.error_code,
        "platform": entry.platform, "platform_version": entry.platform_version,
        "sdk_name": entry.sdk_name, "sdk_version": entry.sdk_version,
        "auth_event": entry.auth_event, "messages": list(entry.messages or []),
    }
    return {name: value for name, value in view.items() if value is not None}


def page_view(page: LogPage, app: App) -> dict[str, Any]:
    """A page as the Admin API answers it: `logs`, and `nextEndDate` / `nextSkip` when
    there is more."""
    answer: dict[str, Any] = {"logs": [entry_view(entry, app) for entry in page.entries]}
    if page.next_end is not None:
        answer["nextEndDate"] = iso(page.next_end)
    if page.next_skip is not None:
        answer["nextSkip"] = page.next_skip
    return answer


def entries_of_request(app: App, co_id: str) -> list[AppLog]:
    """The app's entries of one request (the one an error's link names)."""
    return search(app, LogQuery(co_id=co_id)).entries


# --- retention -----------------------------------------------------------------------


def expired(now: int) -> peewee.ModelSelect[Any]:
    """The ids of the entries older than LOG_RETENTION_DAYS at `now` (Unix seconds)."""
    oldest_kept = now * 1000 - settings.current().log_retention_days * _DAY_MS
    return AppLog.select(AppLog.id).where(AppLog.started < oldest_kept)
