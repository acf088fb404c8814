"""A real server process for black-box tests: `appservices serve` (gunicorn) on a free port.

The tests that use it speak HTTP to it like any client would, so they can also be
pointed at another deployment by URL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import requests

ADMIN_PUBLIC_KEY = "testadmin"
ADMIN_PRIVATE_KEY = "test-admin-private-key-0123456789"
STARTUP_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """`appservices serve` in a subprocess, with its own instance folder and database."""

    def __init__(self, instance_path: Path, *, database_url: str | None = None,
                 workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.instance_path = instance_path
        self.database_url = database_url or f"sqlite:///{instance_path / 'live.db'}"
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_path / "server.log"
        self._extra_env = env or {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveServer:
        self.instance_path.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "APPSERVICES_INSTANCE_PATH": str(self.instance_path),
            "APPSERVICES_ADMIN_PUBLIC_KEY": ADMIN_PUBLIC_KEY,
            "APPSERVICES_ADMIN_PRIVATE_KEY": ADMIN_PRIVATE_KEY,
            "BCRYPT_ROUNDS": "4",
            **self._extra_env,
        }
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)  # polling a start-up, not waiting on behaviour under test
        raise RuntimeError(f"the server did not become healthy:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
