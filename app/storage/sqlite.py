"""SQLite whose write transactions take the write lock as soon as it is free.

SQLite lets one writer at a time hold the write lock; the others wait in its busy
handler, which sleeps 1, 2, 5, 10, 15, 20, 25, 25 ... ms between tries however soon the
lock is free again. A login holds the lock for well under a millisecond, so with two
workers logging in at once most of the waiting was sleep: login ran at a tenth of the
floor's rate with a p99 of a third of a second (bench/, CHANGELOG). So a write
transaction (`BEGIN IMMEDIATE`, see app.storage.write_transaction) is tried without SQLite's
wait and tried again after 0.1 ms, doubling up to 2 ms, until the same busy timeout has
passed; then it fails as SQLite would ("database is locked"). Every other statement
keeps SQLite's busy handler.
"""

from __future__ import annotations

import time

import peewee

BUSY_TIMEOUT_MS = 10_000
FIRST_PAUSE_SECONDS = 0.0001
LONGEST_PAUSE_SECONDS = 0.002


class SqliteDatabase(peewee.SqliteDatabase):
    """peewee's SqliteDatabase, with prompt retries for the write lock (see the module)."""

    busy_timeout_seconds = BUSY_TIMEOUT_MS / 1000

    def begin(self, lock_type: str | None = None) -> None:
        if lock_type != "IMMEDIATE":  # app.storage.write_transaction asks for IMMEDIATE
            super().begin(lock_type)
            return
        deadline = time.monotonic() + self.busy_timeout_seconds
        pause = FIRST_PAUSE_SECONDS
        self.execute_sql("PRAGMA busy_timeout = 0")  # type: ignore[no-untyped-call]
        try:
            while True:
                try:
                    super().begin("IMMEDIATE")
                    return
                except peewee.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
        finally:
            self.execute_sql(  # type: ignore[no-untyped-call]
                f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
