"""SQLite's write-ahead log is copied back by each serving process's thread, not by the
requests (app.storage.checkpoints): the requests' connections wait ten times longer
before they checkpoint themselves, and a thread started by the first request does it
every SQLITE_CHECKPOINT_INTERVAL_MS. With the interval at 0, SQLite's default holds.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import storage
from app.storage import checkpoints
from tests.support.app import make_app
from tests.support.store import in_database

THREAD = "appservices-checkpointer"


def _sqlite_app(tmp_path: Path, interval_ms: int, name: str = "db") -> Flask:
    return make_app(f"sqlite:///{tmp_path / f'{name}.sqlite'}", tmp_path / f"{name}-instance",
                    SQLITE_CHECKPOINT_INTERVAL_MS=interval_ms)


def _pragma(app: Flask, name: str) -> Any:
    with in_database(app):
        return storage.database.execute_sql(f"PRAGMA {name}").fetchone()[0]


def _checkpointers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD]


@contextlib.contextmanager
def _held_open(tmp_path: Path, name: str = "db") -> Iterator[None]:
    """Another connection to the database, as a serving process's always is: the last
    connection to close would copy the log back itself."""
    with contextlib.closing(sqlite3.connect(tmp_path / f"{name}.sqlite")) as other:
        other.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the log
        yield


def _write_something(app: Flask) -> None:
    with in_database(app), storage.write_transaction():
        storage.database.execute_sql("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
        storage.database.execute_sql("INSERT INTO scratch VALUES (1)")


def test_with_a_thread_the_requests_leave_checkpoints_to_it(tmp_path: Path) -> None:
    app = _sqlite_app(tmp_path, interval_ms=250)

    assert _pragma(app, "wal_autocheckpoint") == checkpoints.REQUEST_CHECKPOINT_PAGES
    storage.close_all()


def test_without_one_sqlites_default_holds_and_no_thread_starts(tmp_path: Path) -> None:
    before = set(_checkpointers())
    app = _sqlite_app(tmp_path, interval_ms=0)

    assert _pragma(app, "wal_autocheckpoint") == checkpoints.DEFAULT_CHECKPOINT_PAGES
    assert app.test_client().get("/healthz/live").status_code == 200
    assert set(_checkpointers()) == before
    storage.close_all()


def test_a_checkpoint_copies_the_log_back_into_the_database(tmp_path: Path) -> None:
    app = _sqlite_app(tmp_path, interval_ms=0)
    with _held_open(tmp_path):
        _write_something(app)

        with in_database(app):
            busy, logged, copied = checkpoints.checkpoint_once()

    assert busy == 0 and logged > 0 and copied == logged
    storage.close_all()


def test_the_first_request_starts_the_thread_that_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done: list[tuple[int, int, int]] = []
    real = checkpoints.checkpoint_once

    def watched(db: Any = None) -> tuple[int, int, int]:
        answer = real(db)
        done.append(answer)
        return answer

    monkeypatch.setattr(checkpoints, "checkpoint_once", watched)
    before = set(_checkpointers())
    app = _sqlite_app(tmp_path, interval_ms=10)
    assert set(_checkpointers()) == before  # nothing runs before a request

    assert app.test_client().get("/healthz/live").status_code == 200
    started = [thread for thread in _checkpointers() if thread not in before]
    assert len(started) == 1
    app.test_client().get("/healthz/live")
    assert [thread for thread in _checkpointers() if thread not in before] == started

    with _held_open(tmp_path):
        _write_something(app)
        deadline = time.monotonic() + 10
        while not any(copied for _, _, copied in done) and time.monotonic() < deadline:
            time.sleep(0.01)  # waiting for the thread, bounded
    assert any(copied for _, _, copied in done), "the thread never copied the log back"

    # Another database bound in this process: the thread has nothing left to do.
    _sqlite_app(tmp_path, interval_ms=0, name="other")
    started[0].join(timeout=10)
    assert not started[0].is_alive()
    storage.close_all()
