"""What each optional part of a login costs: the same build, one part switched off at a
time, measured in turns in one run (issues 15 and 17 bound these costs).

    scripts/bench costs                           SQLite, 3 rounds of 8 s per variant
    scripts/bench costs --database postgres --rounds 5
    .venv/bin/python -m bench costs --help        every option

One database is set up once through the APIs (bench/seed.py); then, round after round,
the server (`appservices serve`, a worker per core) is started on it with each variant's
settings in turn, warmed up, and driven with server-key logins by wrk (16 connections).
The order of the variants turns every round, so that drift on the machine falls on each
of them alike; the figures are each variant's median over the rounds. A part's cost is
how much slower logins are with it than without it, everything else as shipped:

- app log entries (APP_LOG_ENABLED=false switches them off; issue 15 asks <= 10%);
- the per-user session bound and the pruner (MAX_SESSIONS_PER_USER lifted out of reach
  and PRUNE_INTERVAL_SECONDS=0; issue 17 asks <= 5%): the benchmark's key user logs in
  for every request, so it sits at the bound and its oldest sessions end all along;
- metrics (METRICS_ENABLED=false).

A key's last use has no switch: it is written at most once a minute per key, so a login
pays only for reading it with the key (docs/performance.md shows its statements).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import seed, wrk
from bench.cli import _database
from bench.server import BenchServer
from tests.support.http import CLIENT_BASE

SHIPPED = "as shipped"
# Each variant: the settings that switch one part off (the shipped settings otherwise).
VARIANTS: dict[str, dict[str, str]] = {
    SHIPPED: {},
    "without app log entries": {"APP_LOG_ENABLED": "false"},
    "without the session bound and pruner": {"MAX_SESSIONS_PER_USER": "1000000",
                                             "PRUNE_INTERVAL_SECONDS": "0"},
    "without metrics": {"METRICS_ENABLED": "false"},
}
# The issues' bounds: the part's cost, as a share of the logins per second without it.
BOUNDS = {"without app log entries": 0.10, "without the session bound and pruner": 0.05}
DEVICE = {"platform": "bench", "sdkVersion": "wrk"}


@dataclass
class Variant:
    name: str
    rps: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the workers' CPU per login
    errors: int = 0

    @property
    def median_rps(self) -> float:
        return statistics.median(self.rps) if self.rps else 0.0

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else 0.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench costs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    return parser


def _log(message: str) -> None:
    print(f"[bench costs] {message}", file=sys.stderr, flush=True)


def measure(args: argparse.Namespace, wrk_path: str) -> list[Variant]:
    variants = [Variant(name) for name in VARIANTS]
    with tempfile.TemporaryDirectory(prefix="appservices-costs-") as scratch_name, \
            _database(args.database, Path(scratch_name)) as (url, _cpu):
        instance = Path(scratch_name) / "instance"
        with BenchServer(instance, url, workers=args.workers) as server:
            fixtures = seed.prepare(server.base_url)
        login = wrk.Request("POST", f"{CLIENT_BASE}/app/{fixtures.client_app_id}/auth/"
                            "providers/api-key/login",
                            body=json.dumps({"key": fixtures.server_key,
                                             "options": {"device": DEVICE}}))
        for round_number in range(args.rounds):
            turn = round_number % len(variants)
            for variant in variants[turn:] + variants[:turn]:
                _log(f"round {round_number + 1}/{args.rounds}: {variant.name}")
                with BenchServer(instance, url, workers=args.workers,
                                 env=VARIANTS[variant.name]) as server:
                    if args.warmup > 0:
                        wrk.run(wrk_path, server.base_url, login, seconds=args.warmup,
                                connections=args.connections, tag="cw")
                    cpu_before = server.cpu_seconds()
                    measured = wrk.run(wrk_path, server.base_url, login,
                                       seconds=args.duration,
                                       connections=args.connections, tag="c")
                    cpu = server.cpu_seconds() - cpu_before
                variant.rps.append(measured.rps)
                variant.cpu_ms.append(1000 * cpu / max(1, measured.requests))
                variant.errors += measured.errors
    return variants


def format_costs(variants: list[Variant], args: argparse.Namespace) -> str:
    shipped = variants[0]
    lines = [
        f"{args.database}: server-key logins, {args.workers} workers, {args.connections} "
        f"connections, {args.rounds} rounds of {args.duration:g} s per variant (medians)",
        f"{'variant':40} {'logins/s':>9} {'CPU ms/login':>13} {'errors':>7}  "
        f"{'the part costs':>15}",
        "-" * 92,
    ]
    for variant in variants:
        shown = ""
        if variant is not shipped and variant.median_rps:
            shown = f"{1 - shipped.median_rps / variant.median_rps:+15.1%}"
        lines.append(f"{variant.name:40} {variant.median_rps:9.0f} "
                     f"{variant.median_cpu_ms:13.3f} {variant.errors:7d}  {shown:>15}")
    lines.append("(the part costs: how much fewer logins per second as shipped than "
                 "without it; each round's figures: --json)")
    lines.append("bounds:")
    for variant in variants[1:]:
        bound = BOUNDS.get(variant.name)
        if bound is None or not variant.median_rps:
            continue
        cost = 1 - shipped.median_rps / variant.median_rps
        verdict = "met    " if cost <= bound else "NOT MET"
        lines.append(f"  [{verdict}] {variant.name.removeprefix('without ')} cost "
                     f"<= {bound:.0%}: {cost:.1%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        wrk_path = wrk.ensure_wrk()
    except wrk.WrkMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    variants = measure(args, wrk_path)
    print(format_costs(variants, args), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps([variant.__dict__ for variant in variants], indent=2))
    return 0
