"""The service under test: `appservices serve` (gunicorn), as an operator would run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import requests

from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, free_port

STARTUP_TIMEOUT_SECONDS = 120.0


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
    return stat.rsplit(")", 1)[1].split()


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and int(fields[1]) == parent:
                children.append(int(entry))
    return sorted(children)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far; 0 once it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the comm: state(0) ppid(1) ... utime(11) stime(12), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BenchServer:
    """`appservices serve --workers N` in a subprocess, with the env admin key pair."""

    def __init__(self, instance_path: Path, database_url: str, *, workers: int,
                 env: dict[str, str] | None = None) -> None:
        self.instance_path = instance_path
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_path / "server.log"
        self._extra_env = env or {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> BenchServer:
        self.instance_path.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "APPSERVICES_INSTANCE_PATH": str(self.instance_path),
            "APPSERVICES_ADMIN_PUBLIC_KEY": ADMIN_PUBLIC_KEY,
            "APPSERVICES_ADMIN_PRIVATE_KEY": ADMIN_PRIVATE_KEY,
            "BCRYPT_ROUNDS": "4",  # passwords are only in the set-up, not in a workload
            "ACCESS_TOKEN_SECONDS": "86400",  # tokens made at set-up outlive the run
            "LOG_LEVEL": "WARNING",
            **self._extra_env,
        }
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port), "--workers", str(self.workers)],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    if len(self.worker_pids()) == self.workers:
                        return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not become healthy:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master (`appservices serve`)."""
        return children_of(self._process.pid) if self._process is not None else []

    def cpu_seconds(self) -> float:
        """CPU time the workers have used so far (user + system)."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def reset_peak_rss(self) -> bool:
        """Reset every worker's peak RSS (VmHWM) to its current RSS; False if not allowed."""
        ok = True
        for pid in self.worker_pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                ok = False
        return ok

    def peak_rss_mb(self) -> float:
        """The largest peak RSS (VmHWM) among the workers, in MB (10^6 bytes)."""
        peak_kb = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        return peak_kb * 1024 / 1e6

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> BenchServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
