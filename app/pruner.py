"""The background pruner: every PRUNE_INTERVAL_SECONDS, one pass of app.domain.pruning.

It runs in the server processes themselves, so nothing else needs deploying: each
process (each gunicorn worker, or the one process of another WSGI server) starts a
daemon thread on its first request. Threads do not survive a fork, so a thread started
in gunicorn's master would be of no use; and the first request is when a worker is
known to be serving.

Only one process prunes at a time, across every server sharing the database: on
PostgreSQL a pass holds a session-level advisory lock (`pg_try_advisory_lock`, released
at the end of the pass, or by the server if the process dies); on SQLite, whose servers
share one file on one machine, an exclusive `flock` on a file beside the database. A
process that does not get the lock skips the pass: another one is doing it.

Shutting down never waits for it: the thread is a daemon, asked to stop between batches
(at exit), and a batch cut short by the process ending is rolled back by the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator

from app import storage
from app.domain import pruning
from app.storage.background import ProcessThread

log = logging.getLogger(__name__)

# Any constant shared by every server, other than app.storage.migrations'.
_ADVISORY_LOCK_ID = 0x70727565
# Between two batches of a pass: lets the requests' writes in (SQLite has one writer).
PAUSE_BETWEEN_BATCHES_SECONDS = 0.05


class Pruner:
    """Prunes in the background of one process; `ensure_running` from each request."""

    def __init__(self, interval_seconds: int, batch_size: int) -> None:
        self.interval_seconds = interval_seconds
        self.batch_size = batch_size
        self._thread = ProcessThread("appservices-pruner", self._run)

    @property
    def enabled(self) -> bool:
        return self.interval_seconds > 0

    def ensure_running(self) -> None:
        """Start this process's thread unless it runs already (cheap: one comparison)."""
        if self.enabled:
            self._thread.ensure_running()

    @property
    def _stop(self) -> threading.Event:
        return self._thread.stopping

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pass()
            except Exception:  # a database hiccup must not end pruning for good
                log.warning("pruning expired rows failed; retrying in %d s",
                            self.interval_seconds, exc_info=True)
                storage.discard_connection()
            self._stop.wait(self.interval_seconds)

    def _keep_going(self) -> bool:
        return not self._stop.wait(PAUSE_BETWEEN_BATCHES_SECONDS)

    def run_pass(self) -> pruning.Pruned | None:
        """One pass, if this process gets the lock (None when another holds it)."""
        with storage.database.connection_context(), _only_one_at_a_time() as mine:
            if not mine:
                return None
            pruned = pruning.prune(self.batch_size, keep_going=self._keep_going)
        if pruned.total:
            log.info("pruned expired rows: %s",
                     ", ".join(f"{count} {kind}" for kind, count in pruned.counts.items()))
        return pruned


@contextlib.contextmanager
def _only_one_at_a_time() -> Iterator[bool]:
    """Yield whether this process holds the pruning lock, and hold it until the end."""
    if not storage.is_sqlite():
        acquired = storage.database.execute_sql(
            "SELECT pg_try_advisory_lock(%s)", (_ADVISORY_LOCK_ID,)).fetchone()[0]
        try:
            yield bool(acquired)
        finally:
            if acquired:
                storage.database.execute_sql("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_ID,))
        return
    path = storage.database.obj.database
    if path == ":memory:":  # one process's own database
        yield True
        return
    descriptor = os.open(f"{path}-prune.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
