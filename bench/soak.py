"""The soak: a steady stream of server-key logins for minutes, with a short refresh token
lifetime and a clock that moves, to show that the database stops growing once pruning
keeps up (issue 17).

    scripts/bench soak                        SQLite, 3 minutes
    scripts/bench soak --database postgres --minutes 5
    .venv/bin/python -m bench soak --help     every option

The server runs as an operator would (`appservices serve`, a worker per core) with
REFRESH_TOKEN_SECONDS=1800 (the shortest allowed) and the test clock switched on: after
each `--segment` seconds of logins (wrk, 16 connections) the clock moves `--advance`
seconds ahead, so a refresh token lives 1800 / advance * segment seconds of wall time
(60 s by default) and the pruner (PRUNE_INTERVAL_SECONDS, 10 s here) has expired rows
to delete all along. MAX_SESSIONS_PER_USER is lifted by default, so that the rows go
because they expired, not because of the bound; `--max-sessions 1000` shows the bound.
Each login describes its device as realm-web does and never sends the device id back, as
a script started afresh for each call would: each makes a device row, which must go too.
App log entries are switched off (APP_LOG_ENABLED=false) unless `--app-log`: they are
kept LOG_RETENTION_DAYS (at least a day, an hour of the soak's wall time), so with them on
the database grows for the whole soak by design, ~300 bytes a login, and hides whether
sessions and devices stop growing. It prints the session, device and app log rows and
the database's size after every segment, and the start, the end and the largest seen.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

from bench import seed, wrk
from bench.cli import _database
from bench.server import BenchServer
from tests.support.http import CLIENT_BASE

REFRESH_SECONDS = 1800
# What realm-web says of itself in Node.js (bench/cli.py's logins send the same kind).
DEVICE = {"platform": "node", "platformVersion": "20.11.0", "sdkVersion": "2.0.1"}
CLOCK = "/_testing/clock"


@dataclass(frozen=True)
class Sample:
    seconds: float  # since the start
    rows: int  # session rows, expired or not
    devices: int  # device rows
    database_mb: float
    app_log: int  # app log entries (none unless --app-log)
    logins_per_second: float = 0.0


def _sqlite_figures(path: str) -> tuple[int, int, float, int]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM session").fetchone()[0]
        devices = conn.execute("SELECT COUNT(*) FROM device").fetchone()[0]
        app_log = conn.execute("SELECT COUNT(*) FROM app_log").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    wal = Path(f"{path}-wal")
    size = pages * page_size + (wal.stat().st_size if wal.exists() else 0)
    return int(rows), int(devices), size / 1e6, int(app_log)


def _postgres_figures(url: str) -> tuple[int, int, float, int]:
    with contextlib.closing(psycopg.connect(url)) as conn:
        row = conn.execute("SELECT (SELECT COUNT(*) FROM session), "
                           "(SELECT COUNT(*) FROM device), "
                           "pg_database_size(current_database()), "
                           "(SELECT COUNT(*) FROM app_log)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]) / 1e6, int(row[3])


def _figures(url: str) -> tuple[int, int, float, int]:
    if url.startswith("sqlite"):
        return _sqlite_figures(url.removeprefix("sqlite:///"))
    return _postgres_figures(url)


@contextlib.contextmanager
def _server(kind: str, workers: int, env: dict[str, str]) -> Iterator[tuple[BenchServer, str]]:
    with tempfile.TemporaryDirectory(prefix="appservices-soak-") as scratch_name, \
            _database(kind, Path(scratch_name)) as (url, _cpu):
        server = BenchServer(Path(scratch_name) / "instance", url, workers=workers,
                             env=env).start()
        try:
            yield server, url
        finally:
            server.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--segment", type=float, default=5.0,
                        help="seconds of logins between two moves of the clock")
    parser.add_argument("--advance", type=float, default=150.0,
                        help="seconds the clock moves after each segment")
    parser.add_argument("--prune-interval", type=int, default=10)
    parser.add_argument("--max-sessions", type=int, default=1_000_000)
    parser.add_argument("--app-log", action="store_true",
                        help="keep app log entries, as shipped (they grow for days)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=None, help="also write the samples here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    wrk_path = wrk.ensure_wrk()
    env = {"APPSERVICES_TEST_CLOCK": "1", "REFRESH_TOKEN_SECONDS": str(REFRESH_SECONDS),
           "PRUNE_INTERVAL_SECONDS": str(args.prune_interval),
           "MAX_SESSIONS_PER_USER": str(args.max_sessions),
           "APP_LOG_ENABLED": "true" if args.app_log else "false"}
    print(f"soak on {args.database}: {args.minutes:g} min of server-key logins, "
          f"{args.workers} workers, {args.connections} connections; the clock moves "
          f"{args.advance:g} s every {args.segment:g} s (a refresh token lives "
          f"{REFRESH_SECONDS / args.advance * args.segment:.0f} s of wall time); "
          f"PRUNE_INTERVAL_SECONDS={args.prune_interval}, "
          f"MAX_SESSIONS_PER_USER={args.max_sessions}, app log "
          f"{'on' if args.app_log else 'off'}", flush=True)
    samples: list[Sample] = []
    with _server(args.database, args.workers, env) as (server, url):
        fixtures = seed.prepare(server.base_url)
        login = wrk.Request("POST", f"{CLIENT_BASE}/app/{fixtures.client_app_id}/auth/"
                            "providers/api-key/login",
                            body=json.dumps({"key": fixtures.server_key,
                                             "options": {"device": DEVICE}}))
        started = time.monotonic()
        samples.append(Sample(0.0, *_figures(url)))
        print(f"{'t (s)':>6} {'logins/s':>9} {'errors':>7} {'session rows':>13} "
              f"{'device rows':>12} {'app log rows':>13} {'database MB':>12}", flush=True)
        print(f"{0:6.0f} {'':>9} {'':>7} {samples[0].rows:13d} {samples[0].devices:12d} "
              f"{samples[0].app_log:13d} {samples[0].database_mb:12.1f}", flush=True)
        while time.monotonic() - started < args.minutes * 60:
            measured = wrk.run(wrk_path, server.base_url, login, seconds=args.segment,
                               connections=args.connections, tag="soak")
            moved = requests.post(server.base_url + CLOCK,
                                  json={"advance_seconds": args.advance}, timeout=30)
            moved.raise_for_status()
            rows, devices, megabytes, app_log = _figures(url)
            sample = Sample(time.monotonic() - started, rows, devices, megabytes, app_log,
                            measured.rps)
            samples.append(sample)
            print(f"{sample.seconds:6.0f} {measured.rps:9.0f} {measured.errors:7d} "
                  f"{rows:13d} {devices:12d} {app_log:13d} {megabytes:12.1f}", flush=True)
    first, last = samples[0], samples[-1]
    rates = [sample.logins_per_second for sample in samples[1:]]
    print(f"start: {first.rows} session rows, {first.devices} device rows, "
          f"{first.database_mb:.1f} MB; end: {last.rows} session rows, {last.devices} device "
          f"rows, {last.database_mb:.1f} MB; largest: {max(s.rows for s in samples)} session "
          f"rows, {max(s.devices for s in samples)} device rows, "
          f"{max(s.database_mb for s in samples):.1f} MB; "
          f"mean {sum(rates) / max(1, len(rates)):.0f} logins/s", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps([sample.__dict__ for sample in samples], indent=2))
    return 0
