"""The production topology on one machine: HAProxy -> three `appservices serve` servers ->
PgBouncer in transaction mode -> PostgreSQL, as docs/deploying.md describes it.

Every piece is a process of the test's own, on free loopback ports, with its configuration
written to a temporary folder: Debian's `haproxy` and `pgbouncer` (installed by
scripts/test when missing and root), the suite's throw-away PostgreSQL
(tests/support/postgres.py), and LiveServers sharing SECRET_KEY and the signing keys'
encryption key. Without haproxy or pgbouncer the tests that need them are skipped, except
in CI (CI=true), where they fail.

`Load` is the steady, bounded traffic the tests put through HAProxy while they restart
and kill things: a few client threads, one request at a time each, every answer counted.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from tests.reliability.deployment import SHARED_SECRET_KEY, Deployment, RealmApp, log_in
from tests.support.chromium import in_ci
from tests.support.http import CLIENT_BASE, bearer
from tests.support.live_server import LiveServer, free_port, stop_process
from tests.support.postgres import PostgresServer, find_pg_bin_dir

SERVERS = 3
WORKERS = 2  # per server: 6 worker processes in all, on a 2-core machine
DATABASE = "appservices"
# PgBouncer gives up on a query that waited this long for a server connection (its default,
# 120 s, would hold every request that long while PostgreSQL is down): the request fails
# with a driver error the service answers 503.
QUERY_WAIT_TIMEOUT_SECONDS = 3
MIN_POOL_SIZE = 4  # server connections PgBouncer keeps open for each database
POLL_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 30
# The servers, as every server of a deployment must: one SECRET_KEY, one key encrypting
# the signing keys, one PUBLIC_URL (HAProxy's), one proxy in front.
SIGNING_KEY_ENCRYPTION_KEY = "topology-tests-signing-key-encryption-key-0123456789"
_SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


# --- the tools ----------------------------------------------------------------------------


def _tool(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{_SBIN}")


def missing_tools() -> str | None:
    """Why the topology cannot be built here, or None when it can."""
    missing = [name for name in ("haproxy", "pgbouncer") if _tool(name) is None]
    if missing:
        return (f"{' and '.join(missing)} not found: install Debian's packages (apt-get "
                "install haproxy pgbouncer); scripts/test installs them when run as root")
    try:  # a PostgreSQL of the test's own, which it stops and starts again
        find_pg_bin_dir()
    except RuntimeError as error:
        return str(error)
    return None


def require_tools() -> None:
    """Skip the running test when haproxy or pgbouncer is missing; fail it instead in CI."""
    message = missing_tools()
    if message is None:
        return
    if in_ci():
        pytest.fail(message + " (CI=true: a missing tool is a failure)", pytrace=False)
    pytest.skip(message)


def poll(condition: Callable[[], Any], what: str, seconds: float = POLL_SECONDS) -> Any:
    """Wait, bounded, until `condition()` is truthy (polling a state, not sleeping on time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up after {seconds:.0f} s waiting until {what}")


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def _short_folder(prefix: str) -> Path:
    # Under /tmp, not pytest's deep tmp_path: a unix socket's path must stay short, and the
    # `postgres` user must be able to reach it.
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


# --- PgBouncer ------------------------------------------------------------------------------


class PgBouncer:
    """PgBouncer in transaction mode in front of one PostgreSQL server.

    Every database name maps to the same name on the server. Run as the `postgres` user
    when we are root: pgbouncer refuses to run as root.
    """

    def __init__(self, postgres_port: int) -> None:
        self.postgres_port = postgres_port
        self.folder = _short_folder("topology-pgbouncer-")
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._run_as = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    @property
    def log_path(self) -> Path:
        return self.folder / "pgbouncer.log"

    def config(self) -> str:
        return f"""\
[databases]
* = host=127.0.0.1 port={self.postgres_port} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
; loopback only, a throw-away server; production uses scram-sha-256 and an auth_file
auth_type = any
logfile = {self.log_path}
pidfile = {self.folder / "pgbouncer.pid"}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
; Idle server connections are handed out in turn, not the last one used first, and each
; database keeps a few open: a client's transactions land on different server
; connections, as they do under load, so any state the service kept on a "session"
; between transactions would show.
server_round_robin = 1
min_pool_size = {MIN_POOL_SIZE}
query_wait_timeout = {QUERY_WAIT_TIMEOUT_SECONDS}
server_connect_timeout = 2
server_login_retry = 1
ignore_startup_parameters = extra_float_digits
"""

    def database_url(self, name: str) -> str:
        """The URL a server uses: no prepared statements, which PgBouncer < 1.21 cannot keep
        across the server connections of one client."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}?prepare_threshold=none"

    def start(self) -> PgBouncer:
        if self._run_as is not None:
            os.chown(self.folder, self._run_as.pw_uid, self._run_as.pw_gid)
        for _attempt in range(3):  # another process may take the free port first
            self.port = free_port()
            config = self.folder / "pgbouncer.ini"
            config.write_text(self.config())
            self._process = subprocess.Popen(
                [str(_tool("pgbouncer")), str(config)], cwd=self.folder,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                user=self._run_as.pw_uid if self._run_as else None,
                group=self._run_as.pw_gid if self._run_as else None,
                extra_groups=[] if self._run_as else None)
            with contextlib.suppress(AssertionError):
                poll(lambda: self._process is None or self._process.poll() is not None
                      or _accepts(self.port), "pgbouncer listens", 10)
            if self._process.poll() is None and _accepts(self.port):
                return self
            self.stop()
        raise RuntimeError(f"pgbouncer did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, 10)  # SIGTERM: pgbouncer's immediate shutdown
        self._process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- HAProxy ------------------------------------------------------------------------------


class HAProxy:
    """HAProxy balancing HTTP over the servers, each checked on GET /healthz/live.

    The liveness probe, not /healthz: a database outage must not take every server out of
    the balancer (clients would get HAProxy's own 503 page instead of the service's 503
    envelope, with its Retry-After). Its runtime API (the stats socket) drains a server
    before a restart and makes it ready afterwards.
    """

    BACKEND = "servers"

    def __init__(self, port: int, server_ports: list[int]) -> None:
        self.server_ports = server_ports
        self.folder = _short_folder("topology-haproxy-")
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def socket_path(self) -> Path:
        return self.folder / "admin.sock"

    @staticmethod
    def server_name(index: int) -> str:
        return f"app{index}"

    def config(self) -> str:
        servers = "\n".join(f"    server {self.server_name(n)} 127.0.0.1:{port}"
                            for n, port in enumerate(self.server_ports))
        return f"""\
global
    stats socket {self.socket_path} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 10s
    # Longer than PgBouncer's query_wait_timeout: while PostgreSQL is down a worker may
    # be busy that long with a request, and the liveness probe waits for a free one.
    timeout check 5s
    # A request whose server refused the connection goes to another server at once.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend api
    bind 127.0.0.1:{self.port}
    option forwardfor
    default_backend {self.BACKEND}

backend {self.BACKEND}
    balance roundrobin
    # Only a GET (or HEAD) is sent again once it reached a server: a login or a key's
    # creation that got no answer may have happened. Connection failures are always retried.
    http-request disable-l7-retry if !METH_GET
    option httpchk
    http-check send meth GET uri /healthz/live
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 2
{servers}
"""

    def start(self) -> HAProxy:
        config = self.folder / "haproxy.cfg"
        config.write_text(self.config())
        checked = subprocess.run([str(_tool("haproxy")), "-c", "-q", "-f", str(config)],
                                 capture_output=True, text=True, check=False)
        if checked.returncode != 0:
            raise RuntimeError(f"haproxy refused its configuration:\n{checked.stderr}")
        log = (self.folder / "haproxy.log").open("ab")
        self._process = subprocess.Popen([str(_tool("haproxy")), "-db", "-f", str(config)],
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT)
        log.close()
        poll(lambda: _accepts(self.port) and self.socket_path.exists(), "haproxy listens", 10)
        return self

    def command(self, line: str) -> str:
        """One command of the runtime API, and its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.socket_path))
            connection.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_stats(self) -> dict[str, dict[str, str]]:
        """`show stat` of the backend's servers: name -> their columns (status, scur ...)."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {row["svname"]: row for row in rows
                if row["pxname"] == self.BACKEND and row["svname"] not in {"BACKEND", "FRONTEND"}}

    def status(self, index: int) -> str:
        """UP, DOWN, DRAIN, MAINT ... as HAProxy sees server `index`."""
        return self.server_stats()[self.server_name(index)]["status"]

    def sessions(self, index: int) -> int:
        """Requests HAProxy has on server `index` right now."""
        return int(self.server_stats()[self.server_name(index)]["scur"] or 0)

    def set_state(self, index: int, state: str) -> None:
        """`ready`, `drain` or `maint` for server `index`."""
        answer = self.command(f"set server {self.BACKEND}/{self.server_name(index)} "
                              f"state {state}")
        assert answer.strip() == "", answer

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            text = (self.folder / "haproxy.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process, 10)
        self._process = None
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the whole topology ------------------------------------------------------------------


class Topology:
    """HAProxy -> SERVERS servers -> PgBouncer (transaction mode) -> PostgreSQL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.postgres = PostgresServer()
        self.bouncer: PgBouncer | None = None
        self.servers: list[LiveServer] = []
        self.haproxy: HAProxy | None = None

    def start(self) -> Topology:
        self.postgres.start()
        self.postgres.create_database(DATABASE)
        self.bouncer = PgBouncer(self.postgres.port).start()
        balancer_port = free_port()  # PUBLIC_URL names it; HAProxy starts last
        settings = {
            "SECRET_KEY": SHARED_SECRET_KEY,
            "SIGNING_KEY_ENCRYPTION_KEY": SIGNING_KEY_ENCRYPTION_KEY,
            "PUBLIC_URL": f"http://127.0.0.1:{balancer_port}",
            "TRUSTED_PROXY_HOPS": "1",
            "LOG_LEVEL": "WARNING",
            # As shipped, not the tests' 0s: app log entries written in batches, and every
            # worker pruning (each second here, all of them taking the lock through
            # PgBouncer), behind the load.
            "APP_LOG_BATCH_MS": "100",
            "PRUNE_INTERVAL_SECONDS": "1",
        }
        for number in range(SERVERS):
            # Metrics files in the test's folder: a killed server leaves its own behind.
            metrics = {"PROMETHEUS_MULTIPROC_DIR": str(self.folder / f"metrics-{number}")}
            self.servers.append(LiveServer(
                self.folder / f"server-{number}", workers=WORKERS, own_process_group=True,
                database_url=self.bouncer.database_url(DATABASE),
                env={**settings, **metrics}).start())
        self.haproxy = HAProxy(balancer_port, [server.port for server in self.servers])
        self.haproxy.start()
        for index in range(SERVERS):
            self.wait_for_status(index, "UP")
        return self

    @property
    def base_url(self) -> str:
        """Where clients go: HAProxy."""
        assert self.haproxy is not None
        return self.haproxy.base_url

    @property
    def database_url(self) -> str:
        """PostgreSQL itself, for looking into the database (tests/reliability/storage.py)."""
        return self.postgres.database_url(DATABASE)

    def balanced(self) -> Deployment:
        """Requests through HAProxy, as clients send them."""
        return Deployment([self.base_url])

    def direct(self) -> Deployment:
        """Requests to the servers themselves (server=0, 1, 2), still through PgBouncer."""
        return Deployment([server.base_url for server in self.servers])

    def wait_for_status(self, index: int, status: str) -> None:
        assert self.haproxy is not None
        haproxy = self.haproxy
        poll(lambda: haproxy.status(index) == status,
              f"HAProxy sees server {index} {status} (it says {haproxy.status(index)})")

    def restart_gracefully(self, index: int) -> None:
        """The rolling restart of one server: drain it in HAProxy, wait until it has no
        request left, stop it (SIGTERM), start it again, wait until it is healthy, ready."""
        assert self.haproxy is not None
        haproxy = self.haproxy
        haproxy.set_state(index, "drain")
        poll(lambda: haproxy.sessions(index) == 0, f"server {index} has no request left")
        server = self.servers[index]
        server.stop()
        server.start()  # on the same port; returns once /healthz answers 200
        self.wait_for_status(index, "DRAIN")  # HAProxy's own check found it up again
        haproxy.set_state(index, "ready")
        self.wait_for_status(index, "UP")

    def make_whole(self) -> None:
        """Everything running and every server ready, whatever a test left behind."""
        assert self.haproxy is not None
        try:
            psycopg.connect(self.postgres.url, connect_timeout=2).close()
        except psycopg.OperationalError:
            self.postgres.start_again()
        for index, server in enumerate(self.servers):
            if not server.running:
                server.stop()
                server.start()
            self.haproxy.set_state(index, "ready")
        for index in range(SERVERS):
            self.wait_for_status(index, "UP")

    def stop(self) -> None:
        if self.haproxy is not None:
            self.haproxy.stop()
        for server in self.servers:
            if server._process is not None:
                server.stop()
        if self.bouncer is not None:
            self.bouncer.remove()
        self.postgres.stop()


@contextlib.contextmanager
def built(folder: Path) -> Iterator[Topology]:
    """The topology, started; stopped and removed afterwards."""
    topology = Topology(folder)
    try:
        yield topology.start()
    finally:
        topology.stop()


# --- steady, bounded load ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One request of the load and what came of it."""

    what: str  # login, refresh, profile, create-key, delete-key
    started: float  # time.monotonic()
    seconds: float
    status: int | None  # None: no HTTP answer at all (the connection failed)
    error_code: str | None = None
    retry_after: str | None = None
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    def __str__(self) -> str:
        return (f"{self.what}: {self.status} {self.error_code or ''} after "
                f"{self.seconds:.2f} s")


@dataclass
class Load:
    """Client threads through HAProxy: each logs in with a server key of its own, refreshes
    and reads its profile, over and over, one request at a time; one more thread creates
    and deletes server keys as an admin. Every answer is an `Outcome`."""

    realm: RealmApp
    base_url: str
    clients: int = 3
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def on(cls, topology: Topology, name: str, clients: int = 3) -> Load:
        realm = RealmApp.create(log_in(topology.balanced()), name)
        return cls(realm, topology.base_url, clients)

    @property
    def threads(self) -> int:
        return self.clients + 1  # and the admin's

    def __enter__(self) -> Load:
        keys = [self.realm.new_server_key(f"load-{n}")["key"] for n in range(self.clients)]
        self._threads = [threading.Thread(target=self._client, args=(key,), daemon=True)
                         for key in keys]
        self._threads.append(threading.Thread(target=self._admin, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2 * REQUEST_TIMEOUT_SECONDS)

    def since(self, moment: float) -> list[Outcome]:
        with self._lock:
            return [outcome for outcome in self.outcomes if outcome.started >= moment]

    def wait_for_answers(self, count: int, *, after: float, ok: bool = True) -> None:
        """Wait until `count` more requests (successful ones, with `ok`) were answered."""
        poll(lambda: sum(1 for o in self.since(after) if o.ok or not ok) >= count,
              f"{count} more answers from the load")

    def failures(self, since: float = 0.0) -> list[Outcome]:
        return [outcome for outcome in self.since(since) if not outcome.ok]

    # --- the threads -------------------------------------------------------------------

    def _send(self, session: requests.Session, what: str, method: str, path: str, *,
              token: str | None = None, body: Any = None) -> requests.Response | None:
        started = time.monotonic()
        response: requests.Response | None = None
        try:
            response = session.request(method, self.base_url + path, json=body,
                                       headers=bearer(token) if token else {},
                                       timeout=REQUEST_TIMEOUT_SECONDS)
            outcome = Outcome(what, started, time.monotonic() - started, response.status_code,
                              _error_code(response), response.headers.get("Retry-After"),
                              response.headers.get("Content-Type", ""))
        except requests.RequestException:
            outcome = Outcome(what, started, time.monotonic() - started, None)
        with self._lock:
            self.outcomes.append(outcome)
        return response if outcome.ok else None

    def _client(self, key: str) -> None:
        login = f"{CLIENT_BASE}/app/{self.realm.client_app_id}/auth/providers/api-key/login"
        with requests.Session() as session:
            while not self._stop.is_set():
                answer = self._send(session, "login", "POST", login,
                                    body={"key": key, "options": {"device": {}}})
                if answer is None:
                    continue
                tokens = answer.json()
                if self._send(session, "refresh", "POST", f"{CLIENT_BASE}/auth/session",
                              token=tokens["refresh_token"]) is None:
                    continue
                self._send(session, "profile", "GET", f"{CLIENT_BASE}/auth/profile",
                           token=tokens["access_token"])

    def _admin(self) -> None:
        admin = self.realm.admin
        path = f"/api/admin/v3.0{self.realm.path}/api_keys"
        made: list[str] = []
        number = 0
        with requests.Session() as session:
            while not self._stop.is_set():
                number += 1
                if len(made) < 5:
                    answer = self._send(session, "create-key", "POST", path,
                                        token=admin.access_token, body={"name": f"k-{number}"})
                    if answer is not None:
                        made.append(answer.json()["_id"])
                else:
                    self._send(session, "delete-key", "DELETE", f"{path}/{made.pop(0)}",
                               token=admin.access_token)


def _error_code(response: requests.Response) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        code = response.json().get("error_code")
        return str(code) if code is not None else None
    return None

