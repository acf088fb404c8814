"""The background pruner: every PRUNE_INTERVAL_SECONDS, one pass of app.domain.pruning.

It runs in the server processes themselves, so nothing else needs deploying: each
process (each gunicorn worker, or the one process of another WSGI server) starts a
daemon thread on its first request. Threads do not survive a fork, so a thread started
in gunicorn's master would be of no use; and the first request is when a worker is
known to be serving.

Only one process prunes at a time, across every server sharing the database. On
PostgreSQL each batch's transaction first takes a transaction-scoped advisory lock
(`pg_try_advisory_xact_lock`), which its COMMIT releases: never a session-level lock held
across the pass, since behind a transaction pooler (PgBouncer in transaction mode) the
statements of one "session" run on different server connections, and the unlock of one
may miss the lock of another, leaving it held for good and pruning stopped everywhere.
So one batch runs at a time across servers. On SQLite, whose servers share one file on
one machine, a pass holds an exclusive `flock` on a file beside the database. A process
that does not get the lock skips the rest of its pass: another one is pruning.

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
ADVISORY_LOCK_ID = 0x70727565
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
        with storage.database.connection_context(), _only_one_process_on_sqlite() as mine:
            if not mine:
                return None
            claim = None if storage.is_sqlite() else _claim_batch
            pruned = pruning.prune(self.batch_size, keep_going=self._keep_going, claim=claim)
        if not pruned.ran:
            return None
        if pruned.total:
            log.info("pruned expired rows: %s",
                     ", ".join(f"{count} {kind}" for kind, count in pruned.counts.items()))
        return pruned


def _claim_batch() -> bool:
    """PostgreSQL: take the pruning lock for this batch's transaction, if nobody holds it."""
    return storage.try_transaction_lock(ADVISORY_LOCK_ID)


@contextlib.contextmanager
def _only_one_process_on_sqlite() -> Iterator[bool]:
    """Yield whether this process may prune SQLite's file, and hold the file lock until
    the end; always True on PostgreSQL, whose batches take their own lock."""
    if not storage.is_sqlite():
        yield True
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
