"""`appservices serve` and `appservices admin create-key`, run as a user runs them: as
processes, on a SQLite database in a temporary instance folder. And /healthz."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from app import __version__, clock, storage
from app.cli.serve import exposure_warning
from app.config import LOOPBACK_HOSTS
from app.domain import usage
from app.models import SchemaVersion
from app.storage import SCHEMA_VERSION
from tests.support.http import ADMIN_LOGIN as LOGIN
from tests.support.live_server import free_port
from tests.support.store import in_database

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
BANNER = "FIRST START"
PUBLIC_KEY_LINE = re.compile(r"Public key:\s+(\S+)")
PRIVATE_KEY_LINE = re.compile(r"Private key:\s+(\S+)")
GROUP_LINE = re.compile(r"Group:\s+(\S+) \(([0-9a-f]{24})\)")


def appservices_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = shutil.which("appservices", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "app.cli"]


@dataclass
class Instance:
    """One machine's configuration: an instance folder and its SQLite database."""

    path: Path

    def env(self, **extra: str) -> dict[str, str]:
        # Nothing of the developer's own configuration may leak into the server.
        env = {
            name: value for name, value in os.environ.items()
            if not name.startswith("APPSERVICES_")
            and name not in {"DATABASE_URL", "SECRET_KEY", "PUBLIC_URL"}
        }
        env.update(
            APPSERVICES_INSTANCE_PATH=str(self.path),
            DATABASE_URL=f"sqlite:///{self.path / 'appservices.db'}",
            BCRYPT_ROUNDS="4",
            ADMIN_KEY_SCRYPT_LOG_N="4",
            LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env


@dataclass
class Server:
    """A running `appservices serve`; its stderr goes to a file so it can never block."""

    process: subprocess.Popen[bytes]
    base_url: str
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.stderr}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT}s:\n{self.stderr}")

    def stop(self) -> int:
        """Send SIGTERM and return the exit status (bounded wait)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def login(self, public_key: str, private_key: str) -> requests.Response:
        return requests.post(f"{self.base_url}{LOGIN}",
                             json={"username": public_key, "apiKey": private_key}, timeout=10)

    def group_ids(self, public_key: str, private_key: str) -> list[str]:
        login = self.login(public_key, private_key)
        assert login.status_code == 200, login.text
        profile = requests.get(
            f"{self.base_url}/api/admin/v3.0/auth/profile",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"}, timeout=10,
        )
        assert profile.status_code == 200, profile.text
        return [role["group_id"] for role in profile.json()["roles"]]


StartServer = Callable[..., Server]


@pytest.fixture
def instance(tmp_path: Path) -> Instance:
    return Instance(tmp_path / "instance")


@pytest.fixture
def start_server(instance: Instance, tmp_path: Path) -> Iterator[StartServer]:
    """Start `appservices serve --port <free> --workers 2` and wait for /healthz."""
    servers: list[Server] = []

    def start(**env: str) -> Server:
        port = free_port()
        stderr_path = tmp_path / f"server-{len(servers)}.stderr"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [*appservices_command(), "serve", "--port", str(port), "--workers", "2"],
                env=instance.env(**env), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=stderr,
            )
        server = Server(process, f"http://127.0.0.1:{port}", stderr_path)
        servers.append(server)
        server.wait_until_healthy()
        return server

    yield start
    for server in servers:
        server.kill()


def first_start_keys(server: Server, instance: Instance) -> tuple[str, str]:
    """The first start's pair: without a terminal, in an owner-only file the log names."""
    written = instance.path / "first-admin-key.txt"
    assert BANNER in server.stderr and str(written) in server.stderr, server.stderr
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    text = written.read_text()
    public = PUBLIC_KEY_LINE.search(text)
    private = PRIVATE_KEY_LINE.search(text)
    assert public and private, f"no admin key pair in {written}:\n{text}"
    return public.group(1), private.group(1)


def test_first_start_writes_a_working_admin_pair_to_an_owner_only_file_once(
    start_server: StartServer, instance: Instance
) -> None:
    first = start_server()
    public_key, private_key = first_start_keys(first, instance)

    assert private_key not in first.stderr  # stderr is a log here, not a person
    assert "Private key" not in first.stderr
    assert first.login(public_key, private_key).status_code == 200
    assert first.login(public_key, private_key + "x").status_code == 401
    assert first.stop() == 0

    second = start_server()
    assert BANNER not in second.stderr
    assert private_key not in second.stderr
    assert second.login(public_key, private_key).status_code == 200


def test_the_servers_database_and_instance_folder_are_the_owners_alone(
    start_server: StartServer, instance: Instance
) -> None:
    server = start_server()
    public_key, private_key = first_start_keys(server, instance)
    assert server.login(public_key, private_key).status_code == 200  # a write: -wal exists

    modes = {path.name: stat.S_IMODE(os.stat(path).st_mode)
             for path in instance.path.iterdir() if path.name.startswith("appservices.db")}
    assert "appservices.db" in modes
    assert set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(os.stat(instance.path / "secret_key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(instance.path).st_mode) == 0o700


def test_sigterm_stops_the_server_with_status_zero(start_server: StartServer) -> None:
    server = start_server()
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < STOP_TIMEOUT
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.base_url}/healthz", timeout=2)


def test_create_key_prints_a_working_pair_granted_its_group(
    start_server: StartServer, instance: Instance
) -> None:
    server = start_server()
    created = subprocess.run(
        [*appservices_command(), "admin", "create-key", "--group", "ops"],
        env=instance.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert created.returncode == 0, created.stderr
    public = PUBLIC_KEY_LINE.search(created.stdout)
    private = PRIVATE_KEY_LINE.search(created.stdout)
    group = GROUP_LINE.search(created.stdout)
    assert public and private and group, created.stdout
    assert group.group(1) == "ops"

    assert server.group_ids(public.group(1), private.group(1)) == [group.group(2)]
    # The first-start pair was granted the default group, not "ops".
    first_public, first_private = first_start_keys(server, instance)
    assert group.group(2) not in server.group_ids(first_public, first_private)


def test_admin_pair_from_the_environment_logs_in_and_no_banner_is_printed(
    start_server: StartServer,
) -> None:
    private_key = "env-private-key-0123456789"
    server = start_server(APPSERVICES_ADMIN_PUBLIC_KEY="automation",
                          APPSERVICES_ADMIN_PRIVATE_KEY=private_key)

    assert BANNER not in server.stderr
    assert private_key not in server.stderr
    assert len(server.group_ids("automation", private_key)) == 1
    assert server.login("automation", "env-private-key-wrong-value").status_code == 401


def test_half_an_environment_pair_refuses_to_start(instance: Instance) -> None:
    result = subprocess.run(
        [*appservices_command(), "serve", "--port", str(free_port())],
        env=instance.env(APPSERVICES_ADMIN_PUBLIC_KEY="automation"),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "APPSERVICES_ADMIN_PRIVATE_KEY" in result.stderr


def test_a_busy_port_is_refused_at_once_and_says_what_to_do(instance: Instance) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*appservices_command(), "serve", "--port", str(port)], env=instance.env(),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        )

    assert result.returncode == 1
    assert f"port {port} is in use: pass --port" in result.stderr
    assert "listening" not in result.stderr
    assert not (instance.path / "appservices.db").exists()  # nothing was started


def test_listening_is_said_once_the_port_is_bound(start_server: StartServer) -> None:
    server = start_server()

    assert f"listening on {server.base_url}" in server.stderr


def test_healthz_answers_200_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert {key: body.pop(key) for key in ("status", "database")} == {
        "status": "ok", "database": "ok"}
    # The release answering, and the schema the database records beside this release's.
    assert {key: body.pop(key) for key in ("version", "schema_version")} == {
        "version": __version__,
        "schema_version": {"database": SCHEMA_VERSION, "code": SCHEMA_VERSION}}
    # What the database holds (issue 17): live sessions, and its size on disk.
    assert set(body) == {"sessions", "sessions_estimated", "database_bytes"}
    assert body["sessions"] >= 0 and body["database_bytes"] > 0


def test_healthz_shows_a_database_migrated_by_a_newer_release(
        app: Flask, client: FlaskClient) -> None:
    # What an old server sees during a rolling upgrade, once a newer one has migrated.
    newer = SchemaVersion.version == SCHEMA_VERSION + 1
    with in_database(app):
        SchemaVersion.create(version=SCHEMA_VERSION + 1, applied_at=clock.timestamp())
    try:
        usage.forget()
        body = client.get("/healthz").json
        assert body["schema_version"] == {"database": SCHEMA_VERSION + 1,
                                          "code": SCHEMA_VERSION}
    finally:  # the PostgreSQL database is the session's: the next test starts on it
        with in_database(app):
            SchemaVersion.delete().where(newer).execute()


def test_healthz_answers_503_when_the_database_is_unreachable(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise peewee.OperationalError("could not connect to server")

    monkeypatch.setattr(storage.database.obj, "execute_sql", unreachable)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content_type == "application/json"
    assert response.headers["Retry-After"] == "1"
    assert response.json["error_code"] == "ServiceUnavailable"
    assert set(response.json) == {"error", "error_code", "link"}
    assert all(isinstance(value, str) for value in response.json.values())


def test_liveness_answers_without_asking_the_database(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise peewee.OperationalError("could not connect to server")

    monkeypatch.setattr(storage.database.obj, "execute_sql", unreachable)
    monkeypatch.setattr(storage.database.obj, "connect", unreachable)
    response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "version": __version__}
    assert client.get("/healthz").status_code == 503


EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (what is checked, never bound)


@pytest.mark.parametrize("host", [EVERY_INTERFACE, "::", "192.168.1.5", "auth.example.com"])
def test_serving_other_machines_without_a_public_url_warns_how_clients_will_be_refused(
        host: str) -> None:
    warning = exposure_warning(host, "", LOOPBACK_HOSTS)

    assert warning is not None
    assert "PUBLIC_URL" in warning and "ALLOWED_HOSTS (localhost,127.0.0.1,[::1])" in warning


@pytest.mark.parametrize(("host", "public_url"), [
    ("127.0.0.1", ""), ("localhost", ""), ("::1", ""), ("127.0.0.2", ""),
    (EVERY_INTERFACE, "https://auth.example.com"),
])
def test_no_warning_on_this_machine_alone_or_with_a_public_url(host: str,
                                                               public_url: str) -> None:
    assert exposure_warning(host, public_url, LOOPBACK_HOSTS) is None
