"""The benchmark's command line, its run per database, and the tables it prints."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from bench import seed, wrk
from bench.server import BenchServer, children_of, process_cpu_seconds
from bench.servers import REFERENCE as REFERENCE_SERVER
from bench.servers import SERVERS, SHIPPED_SERVER, CommandServer
from tests.support.http import ADMIN_BASE, CLIENT_BASE

REFERENCE = "reference: bare Flask, gunicorn sync"
FLOOR = "floor: GET /healthz/live"
LOGIN_SERVER = "login, server key"
LOGIN_USER = "login, user key"
REFRESH = "session refresh"
PROFILE = "profile"
LIST_USER_KEYS = "list a user's 20 keys"
LIST_SERVER_KEYS = "list an app's 100 server keys"
CREATE_DELETE = "create/delete a server key"
LOGINS = (LOGIN_SERVER, LOGIN_USER)
# What --only takes.
SHORT_NAMES = {
    "login-server": LOGIN_SERVER, "login-user": LOGIN_USER, "refresh": REFRESH,
    "profile": PROFILE, "list-user-keys": LIST_USER_KEYS,
    "list-server-keys": LIST_SERVER_KEYS, "create-delete": CREATE_DELETE,
}

# Targets: printed as met / not met, never asserted. Shares are of the reference's req/s
# (a bare Flask app under gunicorn's sync workers) measured in the same run.
LOGIN_SHARE = {"sqlite": 0.50, "postgres": 0.35}
SESSION_SHARE = {"sqlite": 0.80, "postgres": 0.60}
FLOOR_SHARE = 1.0  # our GET /healthz/live, SQLite
LOGIN_P99_MS = 15.0  # SQLite
SCALE_P50_RATIO = 1.3
RSS_LIMIT_MB = 150.0

DATABASE_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _workloads(f: seed.Fixtures) -> list[tuple[str, wrk.Request]]:
    login = f"{CLIENT_BASE}/app/{f.client_app_id}/auth/providers/api-key/login"
    device = {"platform": "bench", "sdkVersion": "wrk"}

    def login_body(key: str) -> str:
        return json.dumps({"key": key, "options": {"device": device}})

    admin_app = f"{ADMIN_BASE}/groups/{f.group_id}/apps"
    return [
        (LOGIN_SERVER, wrk.Request("POST", login, body=login_body(f.server_key))),
        (LOGIN_USER, wrk.Request("POST", login, body=login_body(f.user_key))),
        (REFRESH, wrk.Request("POST", f"{CLIENT_BASE}/auth/session",
                              authorization=f"Bearer {f.key_refresh_token}")),
        (PROFILE, wrk.Request("GET", f"{CLIENT_BASE}/auth/profile",
                              authorization=f"Bearer {f.key_access_token}")),
        (LIST_USER_KEYS, wrk.Request("GET", f"{CLIENT_BASE}/auth/api_keys",
                                     authorization=f"Bearer {f.user_refresh_token}")),
        (LIST_SERVER_KEYS, wrk.Request("GET", f"{admin_app}/{f.app_id}/api_keys",
                                       authorization=f"Bearer {f.admin_access_token}")),
        (CREATE_DELETE, wrk.Request("POST", f"{admin_app}/{f.crud_app_id}/api_keys",
                                    authorization=f"Bearer {f.admin_access_token}",
                                    mode="create-delete")),
    ]


FLOOR_REQUEST = wrk.Request("GET", "/healthz/live")
REFERENCE_REQUEST = wrk.Request("GET", "/")


@dataclass
class Run:
    """One workload run: what wrk saw, and what it cost the server."""

    measurement: wrk.Measurement
    peak_rss_mb: float
    cpu_ms: float  # CPU per request: the workers, and the database server's processes
    database_cpu_ms: float = 0.0  # of which the database server's (0 for SQLite)


@dataclass
class Row:
    workload: str
    measurement: wrk.Measurement
    floor_rps: float  # the floor run just before this workload
    peak_rss_mb: float
    cpu_ms: float
    floor_cpu_ms: float
    database_cpu_ms: float = 0.0
    reference_rps: float = 0.0  # the bare Flask app under gunicorn sync, keep-alive client
    closing: wrk.Measurement | None = None  # one connection per request
    reference_closing_rps: float = 0.0

    @property
    def share(self) -> float:
        """Of our own floor (GET /healthz/live, same server, just before)."""
        return self.measurement.rps / self.floor_rps if self.floor_rps else 0.0

    @property
    def reference_share(self) -> float:
        """Of the reference: a bare Flask app under gunicorn's sync workers."""
        return self.measurement.rps / self.reference_rps if self.reference_rps else 0.0

    @property
    def closing_reference_share(self) -> float:
        """One connection per request, of the reference measured the same way."""
        if self.closing is None or not self.reference_closing_rps:
            return 0.0
        return self.closing.rps / self.reference_closing_rps

    @property
    def cpu_share(self) -> float:
        """The floor's CPU per request over this workload's: drift on the machine cancels."""
        return self.floor_cpu_ms / self.cpu_ms if self.cpu_ms else 0.0


@dataclass
class Scale:
    keys: list[int]
    p50_ms: list[float]
    floor_p50_ms: list[float]  # the floor run just before each login run
    cpu_ms: list[float]  # CPU per login (workers and database server)
    seed_seconds: list[float]
    peak_rss_mb: float
    errors: list[int]

    @property
    def raw_ratio(self) -> float:
        return self.p50_ms[1] / self.p50_ms[0] if self.p50_ms[0] else 0.0

    @property
    def ratio(self) -> float:
        """The p50 ratio with each p50 taken relative to its floor: drift cancels out."""
        few, many = (p50 / floor if floor else 0.0
                     for p50, floor in zip(self.p50_ms, self.floor_p50_ms, strict=True))
        return many / few if few else 0.0


@dataclass
class Report:
    database: str
    workers: int
    connections: int
    seconds: float
    rows: list[Row] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    scale: Scale | None = None
    server: str = "appservices serve (granian)"


@dataclass(frozen=True)
class Options:
    databases: list[str]
    seconds: float
    warmup: float
    connections: int
    workers: int
    scale_keys: tuple[int, int]
    floor_each: bool
    only: list[str] | None
    closing: bool = True  # also measure each workload with one connection per request


class Measured(Protocol):
    """A running server whose workers the benchmark can watch (BenchServer, CommandServer)."""

    base_url: str

    def cpu_seconds(self) -> float: ...
    def reset_peak_rss(self) -> bool: ...
    def peak_rss_mb(self) -> float: ...


def _measure(server: Measured, wrk_path: str, request: wrk.Request, options: Options,
             tag: str, database_cpu: Callable[[], float], *, keep_alive: bool = True) -> Run:
    if options.warmup > 0:
        wrk.run(wrk_path, server.base_url, request, seconds=options.warmup,
                connections=options.connections, tag=f"{tag}w", keep_alive=keep_alive)
    server.reset_peak_rss()
    workers_before, database_before = server.cpu_seconds(), database_cpu()
    measurement = wrk.run(wrk_path, server.base_url, request, seconds=options.seconds,
                          connections=options.connections, tag=tag, keep_alive=keep_alive)
    workers, database = (server.cpu_seconds() - workers_before,
                         database_cpu() - database_before)
    per_request = 1000 / measurement.requests if measurement.requests else 0.0
    return Run(measurement, server.peak_rss_mb(), (workers + database) * per_request,
               database * per_request)


def _reference(options: Options, wrk_path: str) -> tuple[Run, Run | None]:
    """The bare Flask app under gunicorn sync: keep-alive client, then one per request."""
    with CommandServer(REFERENCE_SERVER, "bench.bare_app:app", workers=options.workers,
                       ready_path="/") as server:
        kept = _measure(server, wrk_path, REFERENCE_REQUEST, options, "r",
                        _no_database_process)
        closing = (_measure(server, wrk_path, REFERENCE_REQUEST, options, "rc",
                            _no_database_process, keep_alive=False)
                   if options.closing else None)
    return kept, closing


def _no_database_process() -> float:
    return 0.0  # SQLite works inside the workers, whose CPU is counted already


@contextlib.contextmanager
def _database(kind: str, scratch: Path) -> Iterator[tuple[str, Callable[[], float]]]:
    """The database URL, and a function that tells the database server's CPU time."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch / 'bench.db'}", _no_database_process
        return
    from tests.support.postgres import PostgresServer

    with PostgresServer(base_dir="/tmp") as postgres:  # noqa: S108 (postgres must reach it)
        pid_file = postgres.log_file.parent / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])

        def postgres_cpu() -> float:
            return sum(process_cpu_seconds(pid) for pid in children_of(postmaster))

        yield postgres.create_database("appservices_bench"), postgres_cpu


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_database(kind: str, options: Options, wrk_path: str) -> Report:
    """Measure the reference, then start the service on `kind`, set it up, run every
    workload and the scale test."""
    report = Report(kind, options.workers, options.connections, options.seconds)
    _log(f"{DATABASE_TITLES[kind]}: {REFERENCE}")
    reference, reference_closing = _reference(options, wrk_path)
    report.rows.append(_row(REFERENCE, reference, reference, reference, reference_closing,
                            reference_closing))
    with tempfile.TemporaryDirectory(prefix="appservices-bench-") as scratch_name, \
            _database(kind, Path(scratch_name)) as (url, database_cpu):
        scratch = Path(scratch_name)

        def start() -> BenchServer:
            return BenchServer(scratch / "instance", url, workers=options.workers).start()

        server = start()
        try:
            _log(f"{DATABASE_TITLES[kind]}: setting up through the APIs")
            fixtures = seed.prepare(server.base_url)
            floor = Run(wrk.Measurement(0, 0.0, 0, 0, 0, 0, 0, 0), 0.0, 0.0)
            for number, (name, request) in enumerate([(FLOOR, FLOOR_REQUEST),
                                                      *_workloads(fixtures)]):
                if options.only and name not in options.only and name != FLOOR:
                    continue
                if name != FLOOR and (options.floor_each or not report.floors):
                    _log(f"{DATABASE_TITLES[kind]}: {FLOOR}")
                    floor = _measure(server, wrk_path, FLOOR_REQUEST, options, f"f{number}",
                                     database_cpu)
                    report.floors.append(floor.measurement.rps)
                _log(f"{DATABASE_TITLES[kind]}: {name}")
                run = _measure(server, wrk_path, request, options, f"w{number}", database_cpu)
                closing = (_measure(server, wrk_path, request, options, f"c{number}",
                                    database_cpu, keep_alive=False)
                           if options.closing else None)
                if name == FLOOR:
                    floor = run
                    report.floors.append(run.measurement.rps)
                report.rows.append(_row(name, run, floor, reference, closing,
                                        reference_closing))
            if options.only and "scale" not in options.only:
                return report
            report.scale = _scale(kind, url, fixtures, options, wrk_path, server, start,
                                  database_cpu)
        finally:
            server.stop()
    return report


def _row(name: str, run: Run, floor: Run, reference: Run, closing: Run | None = None,
         reference_closing: Run | None = None) -> Row:
    return Row(name, run.measurement, floor.measurement.rps, run.peak_rss_mb, run.cpu_ms,
               floor.cpu_ms, run.database_cpu_ms, reference.measurement.rps,
               closing.measurement if closing else None,
               reference_closing.measurement.rps if reference_closing else 0.0)


def _scale(kind: str, url: str, fixtures: seed.Fixtures, options: Options, wrk_path: str,
           server: BenchServer, start: Callable[[], BenchServer],
           database_cpu: Callable[[], float]) -> Scale:
    """Login p50 with the fewer and with the more keys; the server restarts between."""
    login = dict(_workloads(fixtures))[LOGIN_SERVER]
    p50s, floor_p50s, cpu, seconds, errors = [], [], [], [], []
    rss = 0.0
    current = server
    try:
        for number, total in enumerate(options.scale_keys):
            current.stop()  # SQLite: nobody else writes while the keys go in
            began = time.monotonic()
            added = seed.fill_keys(url, fixtures.group_id, total, int(time.time()))
            seconds.append(time.monotonic() - began)
            _log(f"{DATABASE_TITLES[kind]}: {added:,} keys added in {seconds[-1]:.1f} s "
                 f"({total:,} in all); login at that scale")
            current = start()  # a new server: the peak RSS is this scale's alone
            floor = _measure(current, wrk_path, FLOOR_REQUEST, options, f"sf{number}",
                             database_cpu)
            run = _measure(current, wrk_path, login, options, f"s{number}", database_cpu)
            floor_p50s.append(floor.measurement.p50_ms)
            p50s.append(run.measurement.p50_ms)
            cpu.append(run.cpu_ms)
            errors.append(run.measurement.errors)
            rss = run.peak_rss_mb
    finally:
        current.stop()
    return Scale(list(options.scale_keys), p50s, floor_p50s, cpu, seconds, rss, errors)


# --- servers compared -------------------------------------------------------------------

COMPARED = (FLOOR, LOGIN_SERVER, REFRESH, PROFILE, LIST_USER_KEYS, LIST_SERVER_KEYS)
BARE = "bare Flask: GET /"


@dataclass
class Comparison:
    """req/s of each workload under each server: keep-alive, and one connection per request."""

    workers: int
    connections: int
    seconds: float
    servers: list[str]
    kept: dict[str, dict[str, float]] = field(default_factory=dict)  # workload -> server
    closing: dict[str, dict[str, float]] = field(default_factory=dict)
    p99_ms: dict[str, dict[str, float]] = field(default_factory=dict)


def compare_servers(options: Options, wrk_path: str) -> Comparison:
    """The same service (app.wsgi:app, SQLite) and the bare Flask app under each server."""
    comparison = Comparison(options.workers, options.connections, options.seconds,
                            list(SERVERS))
    with tempfile.TemporaryDirectory(prefix="appservices-servers-") as scratch_name:
        scratch = Path(scratch_name)
        env = BenchServer.environment(scratch / "instance",
                                      f"sqlite:///{scratch / 'bench.db'}")
        (scratch / "instance").mkdir()
        # The database outlives the servers: set up once, under the server we ship.
        with CommandServer(SHIPPED_SERVER, "app.wsgi:app", workers=options.workers,
                           ready_path="/healthz/live", env=env) as server:
            fixtures = _seed(server)
        workloads = dict([(FLOOR, FLOOR_REQUEST), *_workloads(fixtures)])
        for server_name in SERVERS:
            with CommandServer(server_name, "bench.bare_app:app", workers=options.workers,
                               ready_path="/") as bare:
                _compare(comparison, BARE, server_name, bare, REFERENCE_REQUEST, options,
                         wrk_path)
            with CommandServer(server_name, "app.wsgi:app", workers=options.workers,
                               ready_path="/healthz/live", env=env) as server:
                for name in COMPARED:
                    _compare(comparison, name, server_name, server, workloads[name], options,
                             wrk_path)
    return comparison


def _seed(server: CommandServer) -> seed.Fixtures:
    """The set-up's apps, keys and tokens; a failure shows what the server said."""
    try:
        return seed.prepare(server.base_url)
    except Exception as error:
        raise RuntimeError(f"set-up under {server.name} failed: {error}\n"
                           f"--- what the server printed ---\n{server.log_tail()}") from error


def _compare(comparison: Comparison, workload: str, server_name: str, server: Measured,
             request: wrk.Request, options: Options, wrk_path: str) -> None:
    _log(f"servers: {workload} under {server_name}")
    kept = _measure(server, wrk_path, request, options, "k", _no_database_process)
    comparison.kept.setdefault(workload, {})[server_name] = kept.measurement.rps
    comparison.p99_ms.setdefault(workload, {})[server_name] = kept.measurement.p99_ms
    if options.closing:
        closing = _measure(server, wrk_path, request, options, "c", _no_database_process,
                           keep_alive=False)
        comparison.closing.setdefault(workload, {})[server_name] = closing.measurement.rps


def format_comparison(comparison: Comparison) -> str:
    servers = comparison.servers
    width = max(len(name) for name in servers) + 1
    lines = [f"WSGI servers compared (SQLite, {comparison.workers} workers, "
             f"{comparison.connections} connections, {comparison.seconds:g} s per run): req/s",
             f"{'workload':<34}" + "".join(f"{name:>{width}}" for name in servers)]
    lines.append("-" * len(lines[-1]))
    for title, table in (("keep-alive", comparison.kept),
                         ("one connection per request", comparison.closing)):
        if not table:
            continue
        lines.append(f"{title}:")
        for workload, by_server in table.items():
            lines.append(f"  {workload:<32}" + "".join(
                f"{by_server.get(name, 0.0):>{width}.0f}" for name in servers))
    lines.append("p99 ms, keep-alive:")
    for workload, by_server in comparison.p99_ms.items():
        lines.append(f"  {workload:<32}" + "".join(
            f"{by_server.get(name, 0.0):>{width}.1f}" for name in servers))
    return "\n".join(lines)


# --- output ---------------------------------------------------------------------------


def _verdict(met: bool) -> str:
    return "met    " if met else "NOT MET"


def format_report(report: Report) -> str:
    title = (f"{DATABASE_TITLES[report.database]}: {report.server}, {report.workers} workers, "
             f"{report.connections} connections, {report.seconds:g} s per workload")
    header = (f"{'workload':<36} {'req/s':>6} {'x ref':>6} {'x floor':>7} {'p50 ms':>7} "
              f"{'p99 ms':>7} {'errors':>6} {'RSS MB':>6} {'CPU ms/req':>10} {'of it DB':>8} "
              f"{'close req/s':>11} {'x ref':>6}")
    lines = [title, header, "-" * len(header)]
    for row in report.rows:
        m = row.measurement
        closing = (f"{row.closing.rps:>11.0f} {row.closing_reference_share:>6.2f}"
                   if row.closing is not None else f"{'-':>11} {'-':>6}")
        lines.append(f"{row.workload:<36} {m.rps:>6.0f} {row.reference_share:>6.2f} "
                     f"{row.share:>7.2f} {m.p50_ms:>7.2f} {m.p99_ms:>7.2f} {m.errors:>6d} "
                     f"{row.peak_rss_mb:>6.1f} {row.cpu_ms:>10.3f} {row.database_cpu_ms:>8.3f} "
                     f"{closing}")
    lines.append("(x ref: share of the reference's req/s, a bare Flask app with one JSON route "
                 "under gunicorn's sync workers, measured first in this run; x floor: share of "
                 "our own GET /healthz/live on the same server, measured just before; close: "
                 "every request on a new connection (Connection: close), its share of the "
                 "reference measured the same way. RSS: peak RSS per worker. CPU ms/req: the "
                 "workers' CPU time and the database server's per request; 'of it DB': the "
                 "database server's part, 0 for SQLite, which works inside the workers)")
    if len(report.floors) > 1:
        lines.append(f"(the floor was measured before each workload: {min(report.floors):.0f}"
                     f"-{max(report.floors):.0f} req/s)")
    scale = report.scale
    if scale is not None:
        few, many = scale.keys
        lines.append(
            f"scale: login p50 {scale.p50_ms[0]:.2f} ms with {few:,} keys (floor "
            f"{scale.floor_p50_ms[0]:.2f} ms), {scale.p50_ms[1]:.2f} ms with {many:,} keys "
            f"(floor {scale.floor_p50_ms[1]:.2f} ms): ratio {scale.raw_ratio:.2f}, "
            f"{scale.ratio:.2f} relative to the floor; CPU per login {scale.cpu_ms[0]:.2f} "
            f"and {scale.cpu_ms[1]:.2f} ms; peak RSS per worker with {many:,} "
            f"keys {scale.peak_rss_mb:.1f} MB (keys seeded in {sum(scale.seed_seconds):.0f} s; "
            f"errors {sum(scale.errors)})")
    lines.append("targets:")
    lines.extend(f"  [{_verdict(met)}] {text}" for met, text in targets(report))
    return "\n".join(lines)


def targets(report: Report) -> list[tuple[bool, str]]:
    """Each target that this report measured, with whether it is met."""
    rows = {row.workload: row for row in report.rows}
    found: list[tuple[bool, str]] = []
    database = report.database
    if database == "sqlite" and FLOOR in rows:
        floor = rows[FLOOR]
        found.append((floor.reference_share >= FLOOR_SHARE,
                      f"our GET /healthz/live >= {FLOOR_SHARE:.2f} x the reference: "
                      f"{floor.reference_share:.2f} x"))
    share = LOGIN_SHARE[database]
    logins = [rows[name] for name in LOGINS if name in rows]
    if logins:
        found.append((
            all(row.reference_share >= share and row.measurement.errors == 0
                for row in logins),
            f"API-key login >= {share:.2f} x the reference, no errors: " + ", ".join(
                f"{row.workload} {row.reference_share:.2f} x ({row.measurement.errors} errors)"
                for row in logins),
        ))
    session_share = SESSION_SHARE[database]
    for name in (REFRESH, PROFILE):
        if name in rows:
            found.append((rows[name].reference_share >= session_share,
                          f"{name} >= {session_share:.2f} x the reference: "
                          f"{rows[name].reference_share:.2f} x"))
    if logins and database == "sqlite":
        found.append((
            all(row.measurement.p99_ms <= LOGIN_P99_MS for row in logins),
            f"login p99 <= {LOGIN_P99_MS:g} ms at {report.connections} connections: "
            + ", ".join(f"{row.workload} {row.measurement.p99_ms:.1f} ms" for row in logins),
        ))
    if report.scale is not None:
        scale = report.scale
        found.append((scale.ratio <= SCALE_P50_RATIO,
                      f"login p50 with {scale.keys[1]:,} keys <= {SCALE_P50_RATIO} x with "
                      f"{scale.keys[0]:,} (each relative to its floor): {scale.ratio:.2f} x"))
        found.append((scale.peak_rss_mb <= RSS_LIMIT_MB,
                      f"peak RSS per worker <= {RSS_LIMIT_MB:g} MB with {scale.keys[1]:,} "
                      f"keys: {scale.peak_rss_mb:.1f} MB"))
    return found


# --- command line ---------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the service as `appservices serve` runs it, with wrk, against "
                    "a reference (a bare Flask app under gunicorn's sync workers) and its own "
                    "floor (GET /healthz/live of the same server).")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: SQLite only, 1 s per workload, no warm-up, "
                             "1,000 vs 5,000 keys")
    parser.add_argument("--databases", default=None,
                        help="comma-separated: sqlite,postgres [default: both; --quick: sqlite]")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds per workload [default: 10; --quick: 1]")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds of unmeasured load before each workload "
                             "[default: 2; --quick: 0]")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="server worker processes [default: one per core]")
    parser.add_argument("--scale-keys", default=None,
                        help="the two key counts of the scale test "
                             "[default: 1000,1000000; --quick: 1000,5000]")
    parser.add_argument("--floor-once", action="store_true",
                        help="measure the floor once per database, not before each workload")
    parser.add_argument("--only", default=None,
                        help="comma-separated, of: " + ", ".join([*SHORT_NAMES, "scale"])
                             + " [default: all]")
    parser.add_argument("--keep-alive-only", action="store_true",
                        help="skip the runs with one connection per request")
    parser.add_argument("--servers", action="store_true",
                        help="compare the WSGI servers instead (" + ", ".join(SERVERS)
                             + "): the service on SQLite and the bare Flask app under each")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    return parser


def _only(names: str | None) -> list[str] | None:
    if not names:
        return None
    chosen = names.split(",")
    unknown = set(chosen) - {*SHORT_NAMES, "scale"}
    if unknown:
        raise SystemExit(f"unknown workload: {', '.join(sorted(unknown))}")
    return [SHORT_NAMES.get(name, name) for name in chosen]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    quick = args.quick
    databases = (args.databases or ("sqlite" if quick else "sqlite,postgres")).split(",")
    unknown = set(databases) - set(DATABASE_TITLES)
    if unknown:
        raise SystemExit(f"unknown database: {', '.join(sorted(unknown))}")
    scale = [int(n) for n in (args.scale_keys or ("1000,5000" if quick else
                                                  "1000,1000000")).split(",")]
    if len(scale) != 2 or not 0 < scale[0] < scale[1]:
        raise SystemExit("--scale-keys takes two increasing counts, e.g. 1000,1000000")
    options = Options(
        databases=databases,
        seconds=args.duration if args.duration is not None else (1.0 if quick else 10.0),
        warmup=args.warmup if args.warmup is not None else (0.0 if quick else 2.0),
        connections=args.connections,
        workers=args.workers,
        scale_keys=(scale[0], scale[1]),
        floor_each=not (args.floor_once or quick),
        only=_only(args.only),
        closing=not args.keep_alive_only,
    )
    try:
        wrk_path = wrk.ensure_wrk()
    except wrk.WrkMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.servers:
        comparison = compare_servers(options, wrk_path)
        print(format_comparison(comparison) + "\n", flush=True)
        if args.json is not None:
            args.json.write_text(json.dumps(asdict(comparison), indent=2))
        return 0
    reports = []
    for kind in databases:
        report = run_database(kind, options, wrk_path)
        reports.append(report)
        print(format_report(report) + "\n", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(report) for report in reports], indent=2))
    return 0
