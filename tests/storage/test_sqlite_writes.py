"""SQLite write transactions take the write lock by prompt retries (app.storage.sqlite),
and give up as SQLite would after the busy timeout. The clock and the pauses are faked:
nothing here sleeps."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee
import pytest

from app import storage
from app.storage import sqlite


class FakeTime:
    """Stands for the `time` module of app.storage.sqlite: pauses move a fake clock."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []
        self.on_pause: Callable[[], None] = lambda: None

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds
        self.on_pause()


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(sqlite, "time", fake)
    return fake


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "writes.db"
    storage.connect_database(f"sqlite:///{path}")
    with storage.database.connection_context():
        storage.database.execute_sql("CREATE TABLE written (value INTEGER)")
    try:
        yield path
    finally:
        storage.close_all()


@pytest.fixture
def other_writer(database_file: Path) -> Iterator[sqlite3.Connection]:
    """Another connection (another worker) holding the write lock."""
    connection = sqlite3.connect(database_file, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO written (value) VALUES (1)")
    yield connection
    connection.close()


def busy_timeout() -> int:
    return int(storage.database.execute_sql("PRAGMA busy_timeout").fetchone()[0])


def written() -> list[int]:
    cursor = storage.database.execute_sql("SELECT value FROM written ORDER BY rowid")
    return [value for value, in cursor]


def test_a_write_transaction_gets_the_lock_once_the_other_writer_commits(
    other_writer: sqlite3.Connection, fake_time: FakeTime
) -> None:
    def other_writer_commits() -> None:
        if other_writer.in_transaction:
            other_writer.execute("COMMIT")

    fake_time.on_pause = other_writer_commits

    with storage.database.connection_context():
        with storage.write_transaction():
            storage.database.execute_sql("INSERT INTO written (value) VALUES (2)")

        assert written() == [1, 2]  # after the other writer's row, not refused
        assert fake_time.pauses == [sqlite.FIRST_PAUSE_SECONDS]  # no 1 ms naps
        assert busy_timeout() == sqlite.BUSY_TIMEOUT_MS  # SQLite's wait is back


def test_a_write_transaction_gives_up_after_the_busy_timeout_as_sqlite_would(
    other_writer: sqlite3.Connection, fake_time: FakeTime
) -> None:
    with storage.database.connection_context():
        with pytest.raises(peewee.OperationalError, match="locked"), storage.write_transaction():
            storage.database.execute_sql("INSERT INTO written (value) VALUES (2)")

        assert sum(fake_time.pauses) >= sqlite.SqliteDatabase.busy_timeout_seconds
        assert max(fake_time.pauses) == sqlite.LONGEST_PAUSE_SECONDS
        assert fake_time.pauses[:3] == [0.0001, 0.0002, 0.0004]
        assert not storage.database.in_transaction()
        assert busy_timeout() == sqlite.BUSY_TIMEOUT_MS
    other_writer.execute("COMMIT")
    with storage.database.connection_context():
        assert written() == [1]  # nothing of the refused transaction
