"""The load generator: wrk, in a process of its own, driven by bench/workload.lua."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "workload.lua"
RESULT_MARKER = "BENCH_RESULT "


class WrkMissing(RuntimeError):
    """wrk is not installed and could not be installed."""


def ensure_wrk() -> str:
    """Return the path of wrk, installing Debian's package first when root may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing it with apt-get ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, env=env, stdin=subprocess.DEVNULL,  # noqa: S603
                           stdout=subprocess.DEVNULL, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise WrkMissing("wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk)")


@dataclass(frozen=True)
class Request:
    """What one workload sends. `mode` is "fixed" or "create-delete" (see workload.lua)."""

    method: str
    path: str
    body: str = ""
    authorization: str = ""
    mode: str = "fixed"


@dataclass(frozen=True)
class Measurement:
    """What wrk measured for one workload; latencies in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def run(wrk: str, base_url: str, request: Request, *, seconds: float, connections: int,
        threads: int = 1, tag: str = "run", keep_alive: bool = True) -> Measurement:
    """Run one workload for `seconds` and return what wrk measured.

    Without `keep_alive` every request asks for its connection to be closed after the
    answer, so each one pays for a new connection, as clients that do not reuse them do.
    """
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "5s", "-s", str(SCRIPT), base_url,
        "--", request.mode, request.method, request.path, request.body,
        request.authorization, tag, "keep-alive" if keep_alive else "close",
    ]
    completed = subprocess.run(command, capture_output=True, text=True,  # noqa: S603
                               timeout=seconds + 60, check=False)
    line = next((line for line in completed.stdout.splitlines()
                 if line.startswith(RESULT_MARKER)), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n"
                           f"{completed.stdout}\n{completed.stderr}")
    data = json.loads(line[len(RESULT_MARKER):])
    return Measurement(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non2xx=data["non2xx"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
    )
