"""Live deployments for the reliability tests: one server or several sharing a database,
and the plain HTTP an admin and an SDK speak to them.

Requests go to the servers in turn (`server=None`), or to the one named by its index, so a
test can create on server A and check on server B. Nothing here imports the service.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql

from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer

ADMIN = "/api/admin/v3.0"
CLIENT = "/api/client/v2.0"
CLOCK = "/_testing/clock"
PASSWORD = "correct-horse-battery"
TIMEOUT_SECONDS = 60
# Servers that share one database must sign tokens with one key.
SHARED_SECRET_KEY = "reliability-tests-shared-signing-key-0123456789"
T = TypeVar("T")


def new_postgres_database(any_database_url: str, prefix: str) -> str:
    """Create a fresh database on the PostgreSQL server of `any_database_url`; return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with contextlib.closing(psycopg.connect(any_database_url)) as connection:
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(any_database_url)._replace(path=f"/{name}"))


def drop_postgres_database(database_url: str) -> None:
    """Drop a database `new_postgres_database` made (best effort: its server may be gone)."""
    name = urlsplit(database_url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with contextlib.suppress(psycopg.Error), \
            contextlib.closing(psycopg.connect(maintenance)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@contextlib.contextmanager
def running(instance: Path, *, database_url: str | None = None, count: int = 1,
            workers: int = 2, env: dict[str, str] | None = None) -> Iterator[list[LiveServer]]:
    """Start `count` servers (`appservices serve`) on one database; stop them afterwards.

    Each has its own instance folder (and so its own log, `server.log`, and its own test
    clock); they share the database and the token signing key.
    """
    settings = {"SECRET_KEY": SHARED_SECRET_KEY, "APPSERVICES_TEST_CLOCK": "1",
                "LOG_LEVEL": "WARNING", **(env or {})}
    if database_url is None:
        database_url = f"sqlite:///{instance / 'shared.db'}"
    servers: list[LiveServer] = []
    try:
        for number in range(count):
            servers.append(LiveServer(instance / f"server-{number}", database_url=database_url,
                                      workers=workers, env=settings).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Deployment:
    """Several servers behind one (imaginary) load balancer: requests go round in turn."""

    base_urls: list[str]
    _turn: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def base(self, server: int | None = None) -> str:
        if server is None:
            with self._lock:
                server = next(self._turn) % len(self.base_urls)
        return self.base_urls[server]

    def request(self, method: str, path: str, *, server: int | None = None,
                token: str | None = None, json: Any = None,
                headers: dict[str, str] | None = None,
                params: dict[str, str] | None = None) -> requests.Response:
        sent = {**(bearer(token) if token else {}), **(headers or {})}
        return requests.request(method, self.base(server) + path, json=json, headers=sent,
                                params=params, timeout=TIMEOUT_SECONDS)

    def move_clocks(self, seconds: float) -> None:
        """Move the test clock of every server (each keeps its own) by `seconds`."""
        for base_url in self.base_urls:
            moved = requests.post(base_url + CLOCK, json={"advance_seconds": seconds},
                                  timeout=TIMEOUT_SECONDS)
            assert moved.status_code == 200, moved.text


@dataclass
class Admin:
    """The admin of a deployment, logged in with the live servers' admin key pair."""

    deployment: Deployment
    access_token: str = ""
    refresh_token: str = ""
    group_id: str = ""

    @classmethod
    def log_in(cls, deployment: Deployment, *, server: int | None = None) -> Admin:
        admin = cls(deployment)
        response = deployment.request(
            "POST", f"{ADMIN}/auth/providers/mongodb-cloud/login", server=server,
            json={"username": ADMIN_PUBLIC_KEY, "apiKey": ADMIN_PRIVATE_KEY},
        )
        assert response.status_code == 200, response.text
        admin.access_token = response.json()["access_token"]
        admin.refresh_token = response.json()["refresh_token"]
        profile = admin.request("GET", "/auth/profile")
        admin.group_id = profile.json()["roles"][0]["group_id"]
        return admin

    def request(self, method: str, path: str, *, server: int | None = None,
                json: Any = None, params: dict[str, str] | None = None) -> requests.Response:
        return self.deployment.request(method, ADMIN + path, server=server,
                                       token=self.access_token, json=json, params=params)

    def app_path(self, app_id: str) -> str:
        return f"/groups/{self.group_id}/apps/{app_id}"

    def create_app(self, name: str, providers: Sequence[str] = ("api-key",)) -> RealmApp:
        """Create an app with `providers` enabled (local-userpass confirms automatically)."""
        created = self.request("POST", f"/groups/{self.group_id}/apps", json={"name": name})
        assert created.status_code == 201, created.text
        realm = RealmApp(self, created.json()["_id"], created.json()["client_app_id"])
        listed = self.request("GET", f"{realm.path}/auth_providers").json()
        for provider_type in providers:
            if provider_type == "api-key":
                api_key = next(p for p in listed if p["type"] == "api-key")
                enabled = self.request(
                    "PUT", f"{realm.path}/auth_providers/{api_key['_id']}/enable")
                assert enabled.status_code == 204, enabled.text
            else:
                config = {"autoConfirm": True} if provider_type == "local-userpass" else {}
                added = self.request("POST", f"{realm.path}/auth_providers",
                                     json={"type": provider_type, "config": config})
                assert added.status_code == 201, added.text
        return realm


@dataclass
class RealmApp:
    """One app, seen by its admin (`path`, under its `_id`) and by SDKs (`client_app_id`)."""

    admin: Admin
    app_id: str
    client_app_id: str

    @property
    def path(self) -> str:
        return self.admin.app_path(self.app_id)

    @property
    def deployment(self) -> Deployment:
        return self.admin.deployment

    # --- the admin's side ---------------------------------------------------------------

    def create_server_key(self, name: str, *, server: int | None = None) -> requests.Response:
        return self.admin.request("POST", f"{self.path}/api_keys", server=server,
                                  json={"name": name})

    def new_server_key(self, name: str, *, server: int | None = None) -> dict[str, Any]:
        response = self.create_server_key(name, server=server)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def server_keys(self, *, server: int | None = None) -> list[dict[str, Any]]:
        response = self.admin.request("GET", f"{self.path}/api_keys", server=server)
        assert response.status_code == 200, response.text
        keys: list[dict[str, Any]] = response.json()
        return keys

    def users(self) -> list[dict[str, Any]]:
        """Every user of the app, all pages."""
        users: list[dict[str, Any]] = []
        while True:
            params = {"after": users[-1]["_id"]} if users else {}
            page = self.admin.request("GET", f"{self.path}/users", params=params)
            assert page.status_code == 200, page.text
            users.extend(page.json())
            if not page.json():
                return users

    # --- the SDK's side -----------------------------------------------------------------

    def login(self, provider: str, credentials: dict[str, Any], *, server: int | None = None,
              headers: dict[str, str] | None = None) -> requests.Response:
        return self.deployment.request(
            "POST", f"{CLIENT}/app/{self.client_app_id}/auth/providers/{provider}/login",
            server=server, json={**credentials, "options": {"device": {}}}, headers=headers,
        )

    def login_with_key(self, key: str, *, server: int | None = None) -> dict[str, str]:
        response = self.login("api-key", {"key": key}, server=server)
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        return tokens

    def register(self, email: str, password: str = PASSWORD, *,
                 server: int | None = None) -> None:
        response = self.deployment.request(
            "POST", f"{CLIENT}/app/{self.client_app_id}/auth/providers/local-userpass/register",
            server=server, json={"email": email, "password": password},
        )
        assert response.status_code == 201, response.text

    def login_with_password(self, email: str, password: str = PASSWORD, *,
                            server: int | None = None) -> dict[str, str]:
        response = self.login("local-userpass", {"username": email, "password": password},
                              server=server)
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        return tokens

    def create_user_key(self, refresh_token: str, name: str, *,
                        server: int | None = None) -> requests.Response:
        return self.deployment.request("POST", f"{CLIENT}/auth/api_keys", server=server,
                                       token=refresh_token, json={"name": name})


@dataclass(frozen=True)
class Answer:
    """A response read off a raw connection (see `PreparedRequest`)."""

    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class PreparedRequest:
    """A request whose connection is open before it is sent.

    gunicorn's sync workers each accept one connection and wait for its request, so
    connections opened in advance and sent together reach every worker at one instant:
    the closest a test gets to many clients pressing the button at once.
    """

    def __init__(self, deployment: Deployment, method: str, path: str, *, token: str,
                 body: Any) -> None:
        base = urlsplit(deployment.base())
        self._connection = http.client.HTTPConnection(base.hostname or "127.0.0.1", base.port,
                                                      timeout=TIMEOUT_SECONDS)
        self._connection.connect()
        self._request = (method, path, json.dumps(body),
                         {"Content-Type": "application/json", **bearer(token)})

    def __call__(self) -> Answer:
        method, path, body, headers = self._request
        try:
            self._connection.request(method, path, body=body, headers=headers)
            response = self._connection.getresponse()
            return Answer(response.status, response.read().decode())
        finally:
            self._connection.close()


def run_together(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every call on a thread of its own, released at one instant; return the results."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait(timeout=TIMEOUT_SECONDS)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(released, calls))


def run_in_parallel(calls: Sequence[Callable[[], T]], threads: int = 8) -> list[T]:
    """Run the calls on a few threads (set-up that needs to be fast, not simultaneous)."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda call: call(), calls))
