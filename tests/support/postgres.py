"""A throw-away PostgreSQL server for the test suite.

Usage::

    with PostgresServer() as pg:
        url = pg.create_database("appservices_test")
        ...  # point the app / peewee at ``url``

Each :class:`PostgresServer` gets its own temporary directory (data directory, unix socket,
server log), listens on a free TCP port on 127.0.0.1 and trusts every local connection, so the
superuser ``postgres`` connects without a password. Durability is switched off (``fsync``,
``synchronous_commit``, ``full_page_writes``) because the data is thrown away anyway.
:meth:`PostgresServer.stop` shuts the server down and deletes the directory.

Environment variables:

``APPSERVICES_PG_BIN``
    Directory holding ``initdb`` and ``pg_ctl``. Otherwise the highest
    ``/usr/lib/postgresql/<version>/bin`` is used (Debian/Ubuntu layout), then ``$PATH``.
``APPSERVICES_TEST_DATABASE_URL``
    Not read by :class:`PostgresServer` itself: :func:`external_postgres_url` returns it so the
    test fixtures can use an existing server instead of starting one.

PostgreSQL refuses to run as root, and the tests (and CI) do run as root. In that case the
server binaries are run as the ``postgres`` system user (created with ``useradd --system`` if it
is missing) and the temporary directory is handed over to that user.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from tests.support.live_server import free_port

__all__ = [
    "PG_BIN_ENV",
    "TEST_DATABASE_URL_ENV",
    "PostgresServer",
    "external_postgres_url",
    "find_pg_bin_dir",
]

PG_BIN_ENV = "APPSERVICES_PG_BIN"
TEST_DATABASE_URL_ENV = "APPSERVICES_TEST_DATABASE_URL"

# The OS account the server runs under when we are root (PostgreSQL refuses to run as root).
_SYSTEM_USER = "postgres"
# The database superuser created by initdb; trust auth means it needs no password.
_SUPERUSER = "postgres"
_HOST = "127.0.0.1"
# How many times start() picks a new port when another process grabbed the one it chose.
_PORT_ATTEMPTS = 5
_LOG_TAIL_LINES = 40

_INSTALL_HINT = (
    "Install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql-15`, or the "
    f"`postgresql` package), or set {PG_BIN_ENV} to the directory that holds initdb and pg_ctl, "
    f"or set {TEST_DATABASE_URL_ENV} to use an existing server."
)


NewDatabase = Callable[[], str]  # a fixture's maker of throw-away databases (their URLs)


def new_database(server_url: str, name: str) -> str:
    """Create database `name` afresh (dropping one left by an earlier run) on the server of
    `server_url`, which names any database there; return the new database's URL."""
    with contextlib.closing(psycopg.connect(server_url)) as connection:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def drop_database(database_url: str) -> None:
    """Drop a database `new_database` made (best effort: its server may be gone)."""
    name = urlsplit(database_url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with contextlib.suppress(psycopg.Error), \
            contextlib.closing(psycopg.connect(maintenance)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def external_postgres_url() -> str | None:
    """Return ``$APPSERVICES_TEST_DATABASE_URL`` if set (and non-empty), else ``None``.

    Lets a developer run the tests against a server of their own instead of a throw-away one.
    """
    return os.environ.get(TEST_DATABASE_URL_ENV) or None


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl"))


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); "9.6" -> (9, 6). Non-numeric names sort first.
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def find_pg_bin_dir() -> Path:
    """Locate the directory holding ``initdb`` and ``pg_ctl``.

    Order: ``$APPSERVICES_PG_BIN``, the highest ``/usr/lib/postgresql/*/bin``, then ``$PATH``.
    Raises :class:`RuntimeError` saying what to install when nothing is found.
    """
    configured = os.environ.get(PG_BIN_ENV)
    if configured:
        # An explicit setting that is wrong is an error, not a reason to silently fall back.
        path = Path(configured)
        if not _has_server_binaries(path):
            raise RuntimeError(
                f"{PG_BIN_ENV}={configured!r} does not contain executable initdb and pg_ctl."
            )
        return path

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if _has_server_binaries(p)]
    if candidates:
        return max(candidates, key=_version_key)

    initdb = shutil.which("initdb")
    if initdb is not None:
        path = Path(initdb).resolve().parent
        if _has_server_binaries(path):
            return path

    raise RuntimeError(f"PostgreSQL server binaries (initdb, pg_ctl) not found. {_INSTALL_HINT}")


def _ensure_system_user() -> pwd.struct_passwd:
    """Return the ``postgres`` OS account, creating it when it does not exist (root only)."""
    try:
        return pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if useradd is None:
        raise RuntimeError(
            f"Running as root, but there is no {_SYSTEM_USER!r} system user to run PostgreSQL "
            f"as, and `useradd` is not available to create it. Create the user, or run the tests "
            f"as a non-root user. {_INSTALL_HINT}"
        )
    result = subprocess.run(
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            _SYSTEM_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"Could not create the {_SYSTEM_USER!r} system user needed to run PostgreSQL as "
            f"root: {result.stderr.strip() or result.stdout.strip()}"
        )
    return pwd.getpwnam(_SYSTEM_USER)


def _log_tail(log_file: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = log_file.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


class PostgresServer:
    """A private PostgreSQL server in a temporary directory, for tests.

    ``start()`` runs ``initdb`` and ``pg_ctl start`` and waits until the server accepts
    connections; ``stop()`` shuts it down (``pg_ctl stop -m fast``) and removes the directory.
    Both are idempotent. Used as a context manager it starts on entry and stops on exit.
    A server still running when the interpreter exits is stopped by an ``atexit`` hook.
    """

    def __init__(
        self,
        *,
        bin_dir: Path | str | None = None,
        max_connections: int = 200,
        startup_timeout: float = 60.0,
        base_dir: Path | str | None = None,
    ) -> None:
        """Configure (but do not start) a server.

        ``bin_dir`` overrides :func:`find_pg_bin_dir`; ``base_dir`` is where the temporary
        directory is created (default: the system temp dir; when running as root the
        ``postgres`` user must be able to traverse it). ``startup_timeout`` bounds each of
        initdb, server start-up and the connection check, in seconds.
        """
        self._bin_dir = Path(bin_dir) if bin_dir is not None else find_pg_bin_dir()
        self._max_connections = max_connections
        self._timeout = startup_timeout
        self._base_dir = Path(base_dir) if base_dir is not None else None
        # Set while running as root: the account initdb/pg_ctl run as.
        self._run_as: pwd.struct_passwd | None = None
        self._tmp_dir: Path | None = None
        self._port: int | None = None
        self._running = False

    # -- public API ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """TCP port the server listens on (127.0.0.1). Only valid while running."""
        if self._port is None or not self._running:
            raise RuntimeError("PostgresServer is not running; call start() first.")
        return self._port

    @property
    def url(self) -> str:
        """URL of the default database: ``postgresql://postgres@127.0.0.1:PORT/postgres``."""
        return self.database_url("postgres")

    @property
    def socket_dir(self) -> Path:
        """Directory of the server's unix socket. Only valid while running."""
        return self._require_tmp_dir() / "socket"

    @property
    def log_file(self) -> Path:
        """The server log. Only valid while running."""
        return self._require_tmp_dir() / "postgres.log"

    def database_url(self, name: str) -> str:
        """URL of database ``name`` on this server (the database need not exist)."""
        return f"postgresql://{_SUPERUSER}@{_HOST}:{self.port}/{quote(name, safe='')}"

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; return ``self``. No-op if already running.

        Raises :class:`RuntimeError` (with the tail of the server log) if it does not come up.
        """
        if self._running:
            return self
        if os.geteuid() == 0:
            self._run_as = _ensure_system_user()
        self._tmp_dir = Path(tempfile.mkdtemp(prefix="appservices-pg-", dir=self._base_dir))
        # Register before anything can leave a server behind; stop() copes with partial state.
        atexit.register(self.stop)
        try:
            self._prepare_dirs()
            self._initdb()
            self._start_on_free_port()
            self._wait_for_connection()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Fast-shutdown the server and delete its temporary directory. Safe to call twice."""
        atexit.unregister(self.stop)
        tmp_dir = self._tmp_dir
        if tmp_dir is None:
            return
        try:
            data_dir = tmp_dir / "data"
            # postmaster.pid exists while a server is (or might be) running on this data dir,
            # also after a start that failed half-way; without it there is nothing to stop.
            # Best effort: even if pg_ctl fails we still want the directory gone. Should a fast
            # shutdown not finish in time, "immediate" kills the server processes outright.
            for mode in ("fast", "immediate"):
                if not (data_dir / "postmaster.pid").exists():
                    break
                self._pg_ctl_stop(data_dir, mode)
        finally:
            self._tmp_dir = None
            self._running = False
            self._port = None
            shutil.rmtree(tmp_dir, ignore_errors=True)

    def shut_down(self) -> None:
        """Stop the server (a fast shutdown: sessions are ended) but keep its data, for
        `start_again`: a database outage as clients see it."""
        self._pg_ctl_stop(self._require_tmp_dir() / "data", "fast")

    def start_again(self) -> None:
        """Start the server `shut_down` stopped, on the same port, and wait for it."""
        if self._port is None or not self._pg_ctl_start(self._port):
            raise RuntimeError(f"PostgreSQL did not start again. Server log:\n"
                               f"{_log_tail(self.log_file)}")
        self._wait_for_connection()

    def create_database(self, name: str) -> str:
        """Create database ``name`` (owned by ``postgres``) and return its URL."""
        with contextlib.closing(self._connect("postgres")) as conn:
            conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction block
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url(name)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self._port}" if self._running else "stopped"
        return f"<PostgresServer {state} bin_dir={str(self._bin_dir)!r}>"

    # -- internals ----------------------------------------------------------------------------

    def _require_tmp_dir(self) -> Path:
        if self._tmp_dir is None:
            raise RuntimeError("PostgresServer is not running; call start() first.")
        return self._tmp_dir

    def _prepare_dirs(self) -> None:
        tmp_dir = self._require_tmp_dir()
        self.socket_dir.mkdir(mode=0o700)
        if self._run_as is not None:
            # The server runs as `postgres`: it must own the temp dir (initdb creates data/ in
            # it, pg_ctl writes the log there) and the socket dir.
            for path in (tmp_dir, self.socket_dir):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _child_env(self) -> dict[str, str]:
        # Drop PG* variables of the developer's shell (PGPORT, PGDATA, PGHOST, ...) so they
        # cannot redirect initdb/pg_ctl; pin the locale so initdb does not depend on the host.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        if self._run_as is not None:
            env.update(HOME=str(self._require_tmp_dir()), USER=_SYSTEM_USER, LOGNAME=_SYSTEM_USER)
        return env

    def _run(
        self,
        args: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool, as the ``postgres`` user when we are root.

        Dropping privileges via ``subprocess``'s ``user``/``group`` arguments (setuid in the
        child) avoids shell quoting and needs neither ``su`` nor ``runuser``.
        """
        run_as = self._run_as
        cwd = self._tmp_dir if self._tmp_dir is not None and self._tmp_dir.exists() else "/"
        result = subprocess.run(
            list(args),
            cwd=cwd,  # somewhere the `postgres` user may enter (not /root)
            env=dict(env) if env is not None else self._child_env(),
            user=run_as.pw_uid if run_as is not None else None,
            group=run_as.pw_gid if run_as is not None else None,
            extra_groups=[] if run_as is not None else None,  # shed root's supplementary groups
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout if timeout is not None else self._timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(args)} failed with exit code {result.returncode}:\n"
                f"{result.stdout}{result.stderr}"
            )
        return result

    def _initdb(self) -> None:
        data_dir = self._require_tmp_dir() / "data"
        try:
            self._run(
                [
                    str(self._bin_dir / "initdb"),
                    "--pgdata",
                    str(data_dir),
                    "--username",
                    _SUPERUSER,
                    "--auth",
                    "trust",  # local and host (TCP) connections alike
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",  # throw-away cluster: don't wait for the disk
                    "--no-instructions",
                ]
            )
        except RuntimeError as exc:
            hint = ""
            if self._run_as is not None:
                hint = (
                    f"\n(Running as root: the {_SYSTEM_USER!r} user must be able to reach "
                    f"{self._require_tmp_dir()}; pass base_dir= or set TMPDIR to e.g. /tmp.)"
                )
            raise RuntimeError(f"initdb failed: {exc}{hint}") from exc

    def _start_on_free_port(self) -> None:
        """``pg_ctl start -w`` on a free port, retrying with another port if it gets taken."""
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            port = free_port()
            if self._pg_ctl_start(port):
                self._port = port
                self._running = True
                return
            log = _log_tail(self.log_file)
            if "Address already in use" not in log or attempt == _PORT_ATTEMPTS:
                raise RuntimeError(f"PostgreSQL failed to start on port {port}. Server log:\n{log}")
            # Another process took the port between free_port() and the bind: start afresh.
            self.log_file.unlink(missing_ok=True)

    def _pg_ctl_start(self, port: int) -> bool:
        # pg_ctl hands the -o string to /bin/sh, hence the quoting of each option.
        options = [
            "-p", str(port),
            "-c", f"listen_addresses={_HOST}",
            "-c", f"unix_socket_directories={self.socket_dir}",
            "-c", f"max_connections={self._max_connections}",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip
        result = self._run(
            [
                str(self._bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(self._require_tmp_dir() / "data"),
                "-l",
                str(self.log_file),
                "-o",
                shlex.join(options),
                "-w",  # wait until the server accepts connections ...
                "-t",
                str(max(1, int(self._timeout))),  # ... for at most this many seconds
            ],
            check=False,
            # pg_ctl's own -t bounds the wait; the margin only guards against a hung pg_ctl.
            timeout=self._timeout + 10,
        )
        return result.returncode == 0

    def _pg_ctl_stop(self, data_dir: Path, mode: str) -> None:
        args = [str(self._bin_dir / "pg_ctl"), "stop", "-D", str(data_dir), "-m", mode, "-w"]
        timeout = max(1, int(self._timeout))
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._run([*args, "-t", str(timeout)], check=False, timeout=timeout + 10)

    def _connect(self, dbname: str, connect_timeout: int = 10) -> psycopg.Connection[TupleRow]:
        return psycopg.connect(
            host=_HOST,
            port=self.port,
            user=_SUPERUSER,
            dbname=dbname,
            connect_timeout=connect_timeout,
        )

    def _wait_for_connection(self) -> None:
        """Belt and braces after ``pg_ctl -w``: retry a TCP connect until the deadline."""
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                self._connect("postgres", connect_timeout=2).close()
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        f"PostgreSQL on {_HOST}:{self._port} did not accept connections within "
                        f"{self._timeout:.0f}s: {exc}\nServer log:\n{_log_tail(self.log_file)}"
                    ) from exc
                time.sleep(0.1)
