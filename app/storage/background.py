"""A daemon thread of each serving process, started where and when it is first needed.

Threads do not survive a fork: one started in a server's main process would be of no use
to its forked workers. So each background job (app.pruner's passes, SQLite checkpoints,
the app log's batches) starts its thread from the process that needs it, on first use,
and again in a forked child; `ensure_running` costs one comparison once it runs.
Shutting down never waits for these threads (daemons); at exit each is told to stop, or
given its last word (`at_exit`).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import Any


class ProcessThread:
    """One daemon thread per process, running `target(*args)`; `stopping` is its stop
    signal, set at exit unless `at_exit` says otherwise."""

    def __init__(self, name: str, target: Callable[..., None]) -> None:
        self.name = name
        self._target = target
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def ensure_running(self, *args: Any, at_exit: Callable[[], Any] | None = None) -> None:
        """Start this process's thread unless it runs already."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self.stopping = threading.Event()  # a forked child's own, never its parent's
            threading.Thread(target=self._target, args=args, name=self.name,
                             daemon=True).start()
            atexit.register(at_exit or self.stopping.set)
