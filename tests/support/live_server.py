"""A real server process for black-box tests: `appservices serve` (gunicorn) on a free port.

The tests that use it speak HTTP to it like any client would, so they can also be
pointed at another deployment by URL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

import requests

if TYPE_CHECKING:
    import psutil

ADMIN_PUBLIC_KEY = "testadmin"
ADMIN_PRIVATE_KEY = "test-admin-private-key-0123456789"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now.

    The one copy for the whole suite, the notebooks and bench. Another process may take the
    port before its user binds it; callers that care retry (PostgresServer does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _alive(process: psutil.Process) -> bool:
    import psutil  # the test extra's; the notebooks import this module without it

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask a server to stop (SIGTERM); kill it if it has not exited within `timeout` s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class LiveServer:
    """`appservices serve` in a subprocess, with its own instance folder and database."""

    startup_timeout_seconds = 30.0
    stop_timeout_seconds = 20.0

    def __init__(self, instance_path: Path, *, database_url: str | None = None,
                 workers: int = 2, env: dict[str, str] | None = None,
                 own_process_group: bool = False) -> None:
        self.instance_path = instance_path
        self.database_url = database_url or f"sqlite:///{instance_path / 'live.db'}"
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_path / "server.log"
        self._extra_env = env or {}
        # A process group of its own (server and workers), so that `kill` can end them
        # all at once and nothing else.
        self._own_process_group = own_process_group
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        self.instance_path.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "APPSERVICES_INSTANCE_PATH": str(self.instance_path),
            "APPSERVICES_ADMIN_PUBLIC_KEY": ADMIN_PUBLIC_KEY,
            "APPSERVICES_ADMIN_PRIVATE_KEY": ADMIN_PRIVATE_KEY,
            "BCRYPT_ROUNDS": "4",
            "ADMIN_KEY_SCRYPT_LOG_N": "4",
            # No pruning behind a test's back (a test that wants it passes its own value).
            "PRUNE_INTERVAL_SECONDS": "0",
            # App log entries written with their requests: tests read them at once, from
            # any worker (batches: tests/api/test_app_log_batches.py, or pass a value).
            "APP_LOG_BATCH_MS": "0",
            **self._extra_env,
        }
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=self._own_process_group,
        )
        log.close()
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                if (requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
                        and self._is_ready()):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)  # polling a start-up, not waiting on behaviour under test
        raise RuntimeError(f"the server did not become healthy:\n{self.log_tail()}")

    def _is_ready(self) -> bool:
        """Whatever else a subclass waits for once /healthz answers."""
        return True

    @property
    def pid(self) -> int | None:
        """The server's main process (gunicorn's master), while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the server's main process is running."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL to the server and all its workers at once, as a crashed machine would
        leave them: nothing finishes. Only for a server in a process group of its own."""
        if not self._own_process_group or self._process is None:
            raise RuntimeError("kill() needs a server started with own_process_group=True")
        import psutil  # the test extra's; the notebooks import this module without it

        workers = psutil.Process(self._process.pid).children(recursive=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._process = None
        # Returns once every worker is gone too (its sockets closed): dead or a zombie,
        # which nobody may reap here (the workers' new parent is the container's first
        # process).
        deadline = time.monotonic() + self.stop_timeout_seconds
        while any(_alive(worker) for worker in workers):
            if time.monotonic() > deadline:
                raise RuntimeError("the killed server's workers did not end")
            time.sleep(0.01)  # polling the processes' end, bounded above

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, self.stop_timeout_seconds)
        self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
