"""No secret leaks: after a representative run against live servers, none of the keys,
private keys, passwords or tokens it handled is anywhere at rest.

The servers log at DEBUG (every SQL statement included) into their `server.log`, the
access log as text on SQLite and as JSON on PostgreSQL (LOG_FORMAT); the run logs in
every way there is, succeeds and fails, creates, refreshes and revokes. Then the SQLite
files, a pg_dump of the PostgreSQL database, every log and every server's `/metrics` are
searched for each secret, whole and in its random part (a key without its prefix, a
token's signature).
tests/api/test_no_plaintext_secrets.py is the in-process version of the database half.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.domain import keys
from tests.reliability.deployment import (
    ADMIN,
    CLIENT,
    SHARED_SECRET_KEY,
    Deployment,
    RealmApp,
    log_in,
    running,
)
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer
from tests.support.postgres import NewDatabase, find_pg_bin_dir

A, B = 0, -1  # the first and the last server (the same one on SQLite)


@dataclass
class Secrets:
    """Every secret the run handled, by what it is."""

    found: dict[str, str] = field(default_factory=dict)
    app_log: bytes = b""  # the app's log entries as the Admin API answered them

    def add(self, name: str, value: str) -> None:
        self.found[name] = value
        if value.count(".") == 2:  # a JWT: its signature alone is a secret too
            self.found[f"{name} (signature)"] = value.rsplit(".", 1)[1]
        elif "_" in value and len(value) > 40:  # a key: its random part without the prefix
            self.found[f"{name} (without prefix)"] = value.split("_", 1)[1]

    def add_tokens(self, name: str, tokens: dict[str, str]) -> None:
        self.add(f"{name} refresh token", tokens["refresh_token"])
        self.add(f"{name} access token", tokens["access_token"])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """One server on SQLite, or two on one PostgreSQL; logging everything, SQL included."""
    env = {"LOG_LEVEL": "DEBUG"}
    if request.param == "sqlite":
        deployment = running(tmp_path, env=env)
    else:
        new_pg_database: NewDatabase = request.getfixturevalue("new_pg_database")
        deployment = running(tmp_path, env={**env, "LOG_FORMAT": "json"},
                             database_url=new_pg_database(), count=2)
    with deployment as started:
        yield started


def _create_admin_key_on_the_command_line(server: LiveServer) -> tuple[str, str]:
    """`appservices admin create-key`, with the server's configuration."""
    env = {**os.environ, "DATABASE_URL": server.database_url,
           "APPSERVICES_INSTANCE_PATH": str(server.instance_path),
           "SECRET_KEY": SHARED_SECRET_KEY, "LOG_LEVEL": "DEBUG"}
    done = subprocess.run([sys.executable, "-m", "app.cli", "admin", "create-key",
                           "--group", "leaks"], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    public = re.search(r"Public key:\s+(\S+)", done.stdout)
    private = re.search(r"Private key:\s+(\S+)", done.stdout)
    assert public and private, done.stdout
    return public.group(1), private.group(1)


def _run_everything(deployment: Deployment, servers: list[LiveServer]) -> Secrets:
    secrets = Secrets()
    secrets.add("configured admin private key", ADMIN_PRIVATE_KEY)
    admin = log_in(deployment, server=A)
    secrets.add_tokens("admin", {"refresh_token": admin.refresh_token,
                                 "access_token": admin.access_token})
    refreshed = deployment.request("POST", f"{ADMIN}/auth/session", server=B,
                                   token=admin.refresh_token)
    assert refreshed.status_code == 201
    secrets.add("admin refreshed access token", refreshed.json()["access_token"])

    public, private = _create_admin_key_on_the_command_line(servers[0])
    secrets.add("command-line admin private key", private)
    second = deployment.request("POST", f"{ADMIN}/auth/providers/mongodb-cloud/login",
                                server=B, json={"username": public, "apiKey": private})
    assert second.status_code == 200
    secrets.add_tokens("second admin", second.json())
    wrong_private = private[:-3] + "zzz"
    secrets.add("wrong admin private key", wrong_private)
    assert deployment.request("POST", f"{ADMIN}/auth/providers/mongodb-cloud/login",
                              json={"username": ADMIN_PUBLIC_KEY, "apiKey": wrong_private}
                              ).status_code == 401

    realm = RealmApp.create(admin, "leaks", providers=("api-key", "anon-user", "local-userpass"))
    server_key = realm.new_server_key("service", server=A)
    secrets.add("server key", server_key["key"])
    key_session = realm.login_with_key(server_key["key"], server=B)
    secrets.add_tokens("server key session", key_session)

    admin_password = "admin-chosen-password-4711"
    created = admin.request("POST", f"{realm.path}/users", server=B,
                            json={"email": "made@example.com", "password": admin_password})
    assert created.status_code == 201
    secrets.add("password set by the admin", admin_password)
    secrets.add_tokens("admin-made user",
                       realm.login_with_password("made@example.com", admin_password, server=A))

    password = "ann-very-own-password-0815"
    realm.register("ann@example.com", password, server=A)
    secrets.add("registered password", password)
    ann = realm.login_with_password("ann@example.com", password, server=B)
    secrets.add_tokens("password session", ann)
    wrong_password = "ann-wrong-password-1234"
    secrets.add("wrong password", wrong_password)
    assert realm.login("local-userpass", {"username": "ann@example.com",
                                          "password": wrong_password}).status_code == 401

    user_key = realm.create_user_key(ann["refresh_token"], "laptop", server=A).json()
    secrets.add("user key", user_key["key"])
    user_key_session = realm.login_with_key(user_key["key"], server=B)
    secrets.add_tokens("user key session", user_key_session)
    secrets.add_tokens("anonymous session", realm.login("anon-user", {}, server=A).json())

    made_up_key = keys.generate(keys.API_KEY_PREFIX)  # well-formed: it is looked up
    secrets.add("made-up key", made_up_key)
    assert realm.login("api-key", {"key": made_up_key}).status_code == 401

    session_refresh = deployment.request("POST", f"{CLIENT}/auth/session", server=A,
                                         token=user_key_session["refresh_token"])
    secrets.add("refreshed client access token", session_refresh.json()["access_token"])
    verified = admin.request("POST", f"{realm.path}/users/verify_token",
                             json={"token": ann["access_token"]})
    assert verified.status_code == 200
    for method, path in [("PUT", f"/api_keys/{server_key['_id']}/disable"),
                         ("DELETE", f"/users/{ann['user_id']}")]:
        assert admin.request(method, realm.path + path, server=B).status_code == 204
    assert deployment.request("DELETE", f"{CLIENT}/auth/session", server=A,
                              token=key_session["refresh_token"]).status_code == 401
    # Every login, refresh, logout and key change above made an app log entry (issue 15).
    # A successful request's entry waits up to APP_LOG_BATCH_MS for its batch on the
    # server that answered it: read until server A's have arrived too (bounded).
    deadline = time.monotonic() + 30
    while True:
        logs = admin.request("GET", f"{realm.path}/logs", server=B)
        assert logs.status_code == 200, logs.text
        if logs.content.count(b'"type":"AUTH"') >= 8 or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # waiting for another process's batch, bounded
    secrets.app_log = logs.content
    return secrets


def _pg_dump(database_url: str) -> bytes:
    done = subprocess.run([str(find_pg_bin_dir() / "pg_dump"), "--no-owner", database_url],
                          capture_output=True, timeout=120, check=True)
    return done.stdout


def test_no_secret_is_in_the_database_files_a_dump_or_the_logs(
    servers: list[LiveServer],
) -> None:
    deployment = Deployment([server.base_url for server in servers])

    secrets = _run_everything(deployment, servers)
    scraped = [deployment.request("GET", "/metrics", server=index)
               for index in range(len(servers))]
    assert all(response.status_code == 200 for response in scraped)
    for server in servers:
        server.stop()  # every log line written, every SQLite page checkpointed

    database_url = servers[0].database_url
    places: dict[str, bytes] = {}
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        places["the SQLite files"] = b"".join(
            file.read_bytes() for file in path.parent.glob(path.name + "*"))
    else:
        places["a pg_dump"] = _pg_dump(database_url)
    for server, metrics in zip(servers, scraped, strict=True):
        places[f"{server.instance_path.name}'s log"] = server.log_path.read_bytes()
        places[f"{server.instance_path.name}'s /metrics"] = metrics.content
    places["the app log entries"] = secrets.app_log

    assert b"leaks-" in places[next(iter(places))]  # the scan reads the data: the app is there
    for name, text in places.items():
        assert len(text) > 2000, f"{name} is nearly empty"
    assert any(b"/auth/providers/api-key/login" in text for text in places.values())
    assert any(b'appservices_logins_total{outcome="success",provider="api-key"}' in text
               for text in places.values())
    assert secrets.app_log.count(b'"type":"AUTH"') >= 8, secrets.app_log  # the entries are there
    assert b'"type":"API_KEY"' in secrets.app_log
    leaked = [f"{secret} in {place}" for place, text in places.items()
              for secret, value in secrets.found.items() if value.encode() in text]
    assert leaked == []
