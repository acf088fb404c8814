"""The WSGI servers the benchmark compares, and a process running one of them.

Each server runs a target (`module:app`) with the given number of worker processes; the
service's target is `app.wsgi:app`, the reference floor's `bench.bare_app:app`. A server is
ready once the target answers `ready_path` and every worker process exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

import requests

from bench.server import WatchedWorkers
from tests.support.live_server import free_port, stop_process

Command = Callable[[str, int, int], list[str]]


def _gunicorn(worker_class: str, threads: int = 1) -> Command:
    def command(target: str, port: int, workers: int) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                "--worker-class", worker_class, "--threads", str(threads),
                "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
                target]
    return command


def _granian(threads: int) -> Command:
    def command(target: str, port: int, workers: int) -> list[str]:
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers",
                str(workers), "--blocking-threads", str(threads), "--host", "127.0.0.1",
                "--port", str(port), "--no-ws", "--log-level", "warning", target]
    return command


# What --servers compares: the names are what the tables print.
SERVERS: dict[str, Command] = {
    "gunicorn sync": _gunicorn("sync"),
    "gunicorn gthread x4": _gunicorn("gthread", threads=4),
    "granian 1 thread": _granian(1),
    "granian 4 threads": _granian(4),
}
REFERENCE = "gunicorn sync"  # the floor's server: Flask's default deployment
SHIPPED_SERVER = "granian 1 thread"  # what `appservices serve` runs (app/cli/serve.py)


class CommandServer(WatchedWorkers):
    """One server process serving `target` on a free port, with the /proc figures."""

    startup_timeout_seconds = 60.0

    def __init__(self, server: str, target: str, *, workers: int, ready_path: str,
                 env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.name = server
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._command = SERVERS[server](target, self.port, workers)
        self._ready_path = ready_path
        self._env = {**os.environ, **(env or {})}
        # Always kept: when a run fails, what the server said is the first thing to read.
        self._owns_log = log_path is None  # a log of our own goes when the server stops
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="bench-server-",
                                                          suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    def log_tail(self, characters: int = 4000) -> str:
        """The end of what the server printed, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return ""

    def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 (our own command line)
                self._command, env=self._env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                said = self.log_tail()
                self.stop()
                raise RuntimeError(f"{self.name} exited at start-up: {self._command}\n{said}")
            try:
                answered = requests.get(self.base_url + self._ready_path, timeout=1)
                if answered.status_code == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except requests.RequestException:  # not listening yet, or no worker yet
                pass
            time.sleep(0.05)  # polling a start-up
        said = self.log_tail()
        self.stop()
        raise RuntimeError(f"{self.name} did not start in {self.startup_timeout_seconds:g} s\n"
                           f"{said}")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, 30)
        self._process = None
        if self._owns_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
