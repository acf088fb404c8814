"""The benchmark cannot rot: its quickest mode runs and prints a complete table.

Nothing here looks at a timing or a ratio: those depend on the machine, and the targets
are reported by the benchmark itself, never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import cli, costs
from bench import servers as bench_servers

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _wrk_installed() -> None:
    """The benchmark drives the service with wrk: skipped without it, but never in CI."""
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is not installed; scripts/test installs it (apt-get install wrk)")
        pytest.skip("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")


def test_the_quick_benchmark_prints_every_workload_scale_and_target(tmp_path: Path) -> None:
    results = tmp_path / "results.json"

    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    table = completed.stdout
    assert "SQLite: " in table
    for workload in (cli.REFERENCE, cli.FLOOR, *cli.SHORT_NAMES.values()):
        assert workload in table, f"{workload!r} missing from:\n{table}"
    assert "scale: login p50" in table
    verdicts = [line for line in table.splitlines() if line.startswith("  [")]
    # floor, login share, refresh, profile, p99, scale, memory
    assert len(verdicts) == 7, table
    [report] = json.loads(results.read_text())
    assert report["database"] == "sqlite"
    assert [row["workload"] for row in report["rows"]] == [
        cli.REFERENCE, cli.FLOOR, *cli.SHORT_NAMES.values()]
    assert all(row["measurement"]["requests"] > 0 for row in report["rows"])
    # every workload was also measured with one connection per request
    assert all(row["closing"]["requests"] > 0 for row in report["rows"])
    assert report["scale"]["keys"] == [1000, 5000]


def test_the_server_comparison_prints_every_server_and_workload(tmp_path: Path) -> None:
    results = tmp_path / "servers.json"

    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--servers", "--quick", "--keep-alive-only",
         "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    table = completed.stdout
    for server in bench_servers.SERVERS:
        assert server in table, f"{server!r} missing from:\n{table}"
    comparison = json.loads(results.read_text())
    assert list(comparison["kept"]) == [cli.BARE, *cli.COMPARED]
    for workload, by_server in comparison["kept"].items():
        assert set(by_server) == set(bench_servers.SERVERS), workload
        assert all(rps > 0 for rps in by_server.values()), (workload, by_server)


def test_the_soak_prints_session_and_device_rows_as_it_goes(tmp_path: Path) -> None:
    results = tmp_path / "soak.json"

    completed = subprocess.run(
        [sys.executable, "-m", "bench", "soak", "--minutes", "0.1", "--segment", "2",
         "--workers", "1", "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "session rows" in completed.stdout and "device rows" in completed.stdout
    samples = json.loads(results.read_text())
    assert len(samples) >= 2  # the start, and at least one segment of logins
    last = samples[-1]
    assert last["logins_per_second"] > 0
    # Each login described its device without an id: sessions and devices both grew.
    assert last["rows"] > samples[0]["rows"] and last["devices"] > samples[0]["devices"]


def test_the_costs_print_each_part_switched_off_beside_the_shipped_build(
    tmp_path: Path
) -> None:
    results = tmp_path / "costs.json"

    completed = subprocess.run(
        [sys.executable, "-m", "bench", "costs", "--rounds", "2", "--duration", "1",
         "--warmup", "0", "--workers", "1", "--json", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    variants = json.loads(results.read_text())
    assert [variant["name"] for variant in variants] == list(costs.VARIANTS)
    for variant in variants:
        assert len(variant["rps"]) == 2 and all(rps > 0 for rps in variant["rps"])
        assert variant["errors"] == 0
        assert variant["name"] in completed.stdout
    for part in ("app log entries cost <= 10%", "the session bound and pruner cost <= 5%"):
        assert part in completed.stdout
