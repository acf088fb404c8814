"""SQLite's write-ahead log, copied back into the database by a thread, not by requests.

In WAL mode a commit appends the pages it changed to the `-wal` file. By SQLite's
default, the commit that takes the log past 1,000 pages then copies the log back into
the database file and syncs both (a checkpoint): a login writes ~10 pages, so one login
in a hundred paid several milliseconds for everyone's writes. In process, that doubled a
login's p99 and cost 9% of the mean (bench/, CHANGELOG).

So each serving process runs a daemon thread that checkpoints every
SQLITE_CHECKPOINT_INTERVAL_MS, PASSIVE (it never waits for readers or writers, and one
process's checkpoint while another's runs is simply skipped), and the connections leave
checkpoints to it until the log reaches `REQUEST_CHECKPOINT_PAGES` (~40 MB), when the
requests take over again as a safety net. The thread starts on the process's first
request, like app.pruner's, since threads do not survive a fork.
"""

from __future__ import annotations

import logging

import peewee

from app.storage.background import ProcessThread
from app.storage.database import DATABASE_ERRORS, database

log = logging.getLogger(__name__)

# SQLite's own default: what connections keep when no thread checkpoints for them.
DEFAULT_CHECKPOINT_PAGES = 1000
# Past this many pages in the log, a commit checkpoints after all (the thread fell behind).
REQUEST_CHECKPOINT_PAGES = 10_000


class Checkpointer:
    """Checkpoints the bound SQLite database in the background of one process."""

    def __init__(self, interval_ms: int) -> None:
        self.interval_seconds = interval_ms / 1000
        self._thread = ProcessThread("appservices-checkpointer", self._run)

    @property
    def enabled(self) -> bool:
        return self.interval_seconds > 0

    def ensure_running(self) -> None:
        """Start this process's thread unless it runs already (cheap: one comparison)."""
        if self.enabled:
            self._thread.ensure_running(database.obj)

    def _run(self, db: peewee.Database) -> None:
        # The database it was started for: a process that binds another (tests build
        # several apps in one process) has no more use for this thread.
        stopping = self._thread.stopping
        while not stopping.wait(self.interval_seconds) and database.obj is db:
            try:
                checkpoint_once(db)
            except DATABASE_ERRORS:  # a hiccup must not end checkpointing for good
                log.warning("checkpointing the SQLite log failed; trying again",
                            exc_info=True)


def checkpoint_once(db: peewee.Database | None = None) -> tuple[int, int, int]:
    """Copy what it can of the log into the database now, waiting for nobody; return
    SQLite's answer: (1 if another checkpoint was running, pages in the log, pages
    copied). `db`: the bound database unless given."""
    target = database.obj if db is None else db
    if not isinstance(target, peewee.SqliteDatabase):
        return (0, 0, 0)
    with target.connection_context():
        row = target.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()  # type: ignore[no-untyped-call]
    busy, logged, copied = (int(value) for value in row)
    return busy, logged, copied
