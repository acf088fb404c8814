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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from tests.support.admin_api import AdminApi, LiveAdmin
from tests.support.client_api import ClientApi
from tests.support.http import ADMIN_BASE, CLIENT_BASE, CLOCK, TEST_PASSWORD, bearer
from tests.support.live_server import LiveServer

ADMIN, CLIENT, PASSWORD = ADMIN_BASE, CLIENT_BASE, TEST_PASSWORD
TIMEOUT_SECONDS = 60  # longer than elsewhere: these tests load the servers on purpose
# Servers that share one database must sign tokens with one key.
SHARED_SECRET_KEY = "reliability-tests-shared-signing-key-0123456789"
T = TypeVar("T")


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


@dataclass
class Deployment:
    """Several servers behind one (imaginary) load balancer: requests go round in turn.

    A transport (tests/support/http.py) with `server=` to pick one: `AdminApi(deployment)`
    is the admin of these servers.
    """

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
                params: dict[str, str] | None = None,
                **requests_options: Any) -> requests.Response:
        sent = {**(bearer(token) if token else {}), **(headers or {})}
        return requests.request(method, self.base(server) + path, json=json, headers=sent,
                                params=params, timeout=TIMEOUT_SECONDS, **requests_options)

    def move_clocks(self, seconds: float) -> None:
        """Move the test clock of every server (each keeps its own) by `seconds`."""
        for base_url in self.base_urls:
            moved = requests.post(base_url + CLOCK, json={"advance_seconds": seconds},
                                  timeout=TIMEOUT_SECONDS)
            assert moved.status_code == 200, moved.text


def log_in(deployment: Deployment, *, server: int | None = None) -> LiveAdmin:
    """The admin of a deployment, logged in (on `server`) with the live servers' pair."""
    return AdminApi(deployment).log_in(server=server)


@dataclass
class RealmApp:
    """One app, seen by its admin (`path`, under its `_id`) and by SDKs (`client_app_id`)."""

    admin: LiveAdmin
    app_id: str
    client_app_id: str

    @classmethod
    def create(cls, admin: LiveAdmin, name: str,
               providers: Sequence[str] = ("api-key",)) -> RealmApp:
        """Create an app with `providers` enabled (local-userpass confirms automatically)."""
        created = admin.create_app(name)
        realm = cls(admin, created["_id"], created["client_app_id"])
        for provider_type in providers:
            admin.enable_provider(realm.app_id, provider_type)
        return realm

    @property
    def path(self) -> str:
        return self.admin.app_path(self.app_id)

    @property
    def deployment(self) -> Deployment:
        assert isinstance(self.admin.http, Deployment), self.admin.http
        return self.admin.http

    # --- the admin's side ---------------------------------------------------------------

    def create_server_key(self, name: str, *, server: int | None = None) -> requests.Response:
        return self.admin.create_server_key(self.app_id, name, server=server)

    def new_server_key(self, name: str, *, server: int | None = None) -> dict[str, Any]:
        return self.admin.new_server_key(self.app_id, name, server=server)

    def server_keys(self, *, server: int | None = None) -> list[dict[str, Any]]:
        return self.admin.server_keys(self.app_id, server=server)

    def users(self) -> list[dict[str, Any]]:
        """Every user of the app, all pages."""
        return self.admin.users(self.app_id)

    # --- the SDK's side -----------------------------------------------------------------

    @property
    def client_api(self) -> ClientApi[requests.Response]:
        """The Client API of the deployment, as an SDK speaks it."""
        return ClientApi(self.deployment)

    def login(self, provider: str, credentials: dict[str, Any], *, server: int | None = None,
              headers: dict[str, str] | None = None) -> requests.Response:
        return self.client_api.login(self.client_app_id, provider, credentials, server=server,
                                 headers=headers)

    def login_with_key(self, key: str, *, server: int | None = None) -> dict[str, str]:
        response = self.login("api-key", {"key": key}, server=server)
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        return tokens

    def register(self, email: str, password: str = PASSWORD, *,
                 server: int | None = None) -> None:
        response = self.client_api.register(self.client_app_id, email, password, server=server)
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
        return self.client_api.create_user_key(refresh_token, name, server=server)


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
