"""The service under test: `appservices serve` (granian), as an operator would run it."""

from __future__ import annotations

import os
from pathlib import Path

from app.config import Settings
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer

_SHIPPED = Settings()
BENCH_ENV = {
    "ACCESS_TOKEN_SECONDS": "86400",  # tokens made at set-up outlive the run
    "LOG_LEVEL": "WARNING",
    # The tests' servers (LiveServer) prune never and write each app log entry with its
    # request; the benchmark measures the service as shipped.
    "PRUNE_INTERVAL_SECONDS": str(_SHIPPED.PRUNE_INTERVAL_SECONDS),
    "APP_LOG_BATCH_MS": str(_SHIPPED.APP_LOG_BATCH_MS),
}


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


class WatchedWorkers:
    """The /proc figures of a server's workers: the children of its main process (`pid`)."""

    @property
    def pid(self) -> int | None:
        raise NotImplementedError

    def worker_pids(self) -> list[int]:
        """The server's workers: the children of its main process."""
        return children_of(self.pid) if self.pid is not None else []

    def cpu_seconds(self) -> float:
        """CPU time the workers have used so far (user + system)."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def reset_peak_rss(self) -> bool:
        """Reset every worker's peak RSS (VmHWM) to its current RSS; False if not allowed."""
        return reset_peak_rss(self.worker_pids())

    def peak_rss_mb(self) -> float:
        """The largest peak RSS (VmHWM) among the workers, in MB (10^6 bytes)."""
        return peak_rss_mb(self.worker_pids())


class BenchServer(LiveServer, WatchedWorkers):
    """`appservices serve --workers N` (tests/support/live_server.py), ready once every
    worker runs, with the /proc figures the benchmark reads."""

    startup_timeout_seconds = 120.0
    stop_timeout_seconds = 30.0

    def __init__(self, instance_path: Path, database_url: str, *, workers: int,
                 env: dict[str, str] | None = None) -> None:
        super().__init__(instance_path, database_url=database_url, workers=workers,
                         env={**BENCH_ENV, **(env or {})})

    @staticmethod
    def environment(instance_path: Path, database_url: str) -> dict[str, str]:
        """What a server started by other means needs to serve the benchmark's database."""
        return {**BENCH_ENV, "DATABASE_URL": database_url,
                "APPSERVICES_INSTANCE_PATH": str(instance_path),
                "APPSERVICES_ADMIN_PUBLIC_KEY": ADMIN_PUBLIC_KEY,
                "APPSERVICES_ADMIN_PRIVATE_KEY": ADMIN_PRIVATE_KEY,
                "BCRYPT_ROUNDS": "4", "ADMIN_KEY_SCRYPT_LOG_N": "4"}

    def _is_ready(self) -> bool:
        return len(self.worker_pids()) == self.workers


def reset_peak_rss(pids: list[int]) -> bool:
    """Reset each process's peak RSS (VmHWM) to its current RSS; False if not allowed."""
    ok = True
    for pid in pids:
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            ok = False
    return ok


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak RSS (VmHWM) among the processes, in MB (10^6 bytes)."""
    peak_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = max(peak_kb, int(line.split()[1]))
    return peak_kb * 1024 / 1e6
