"""Fixtures shared by every test: the app on SQLite and on a real PostgreSQL, and an
admin who is logged in.

Every test that takes `app` (or anything built on it) runs twice: once on a fresh
SQLite file and once on a throw-away PostgreSQL server that the suite starts itself
(or the one named by APPSERVICES_TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock, create_app, db
from app.domain import admin
from app.models import ALL_MODELS, SchemaVersion, SigningKey
from tests.acceptance.options import pytest_addoption  # noqa: F401 (--base-url)
from tests.support import chromium
from tests.support.postgres import PostgresServer, external_postgres_url

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ADMIN_BASE = "/api/admin/v3.0"
TEST_SECRET_KEY = "test-secret-key-for-signing-tokens-only"


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session (per xdist worker).

    One for every test that drives a browser (tests/browser, the console scenarios of
    tests/acceptance): Playwright's sync API runs one instance per thread. Skipped when
    Chromium is missing, failed instead in CI (tests/support/chromium.py).
    """
    chromium.require_chromium()
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**chromium.launch_options())
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL database for the whole session (per xdist worker)."""
    external = external_postgres_url()
    if external:
        yield external
        return
    server = PostgresServer()
    server.start()
    try:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        yield server.create_database(f"appservices_test_{worker}")
    finally:
        server.stop()


def _empty_postgres_tables() -> None:
    tables = ", ".join(
        # The signing key is made at start-up, as the schema is: emptying it would leave
        # the started app without the key it made (issue 14).
        f'"{model._meta.table_name}"' for model in ALL_MODELS
        if model is not SchemaVersion and model is not SigningKey
    )
    with db.database.connection_context():
        db.database.execute_sql(f"TRUNCATE {tables} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    """Create the app as the tests use it: fast bcrypt, fixed signing key, no bootstrap."""
    config: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "BCRYPT_ROUNDS": 4,
        "ADMIN_KEY_SCRYPT_LOG_N": 4,
        "INSTANCE_PATH": str(instance_path),
        "BOOTSTRAP_ADMIN": False,
        "ADMIN_PUBLIC_KEY": "",
        "ADMIN_PRIVATE_KEY": "",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    clock.reset()
    flask_app = make_app(database_url, tmp_path / "instance")
    if not database_url.startswith("sqlite"):
        _empty_postgres_tables()
    yield flask_app
    clock.reset()
    db.close_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class AdminSession:
    """An admin logged in through the Admin API, with helpers that send its token."""

    client: FlaskClient
    public_key: str
    private_key: str
    group_id: str = ""
    access_token: str = ""
    refresh_token: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)

    def login(self) -> TestResponse:
        response = self.client.post(
            f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
            json={"username": self.public_key, "apiKey": self.private_key},
        )
        assert response.status_code == 200, response.json
        self.access_token = response.json["access_token"]
        self.refresh_token = response.json["refresh_token"]
        profile = self.get("/auth/profile")
        self.group_id = profile.json["roles"][0]["group_id"]
        return response

    def _headers(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.access_token}", **self.extra_headers}

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> TestResponse:
        return self.client.get(ADMIN_BASE + path, headers=self._headers(token), **kwargs)

    def post(self, path: str, json: Any = None, token: str | None = None,
             **kwargs: Any) -> TestResponse:
        return self.client.post(ADMIN_BASE + path, json=json, headers=self._headers(token),
                                **kwargs)

    def put(self, path: str, token: str | None = None, **kwargs: Any) -> TestResponse:
        return self.client.put(ADMIN_BASE + path, headers=self._headers(token), **kwargs)

    def patch(self, path: str, json: Any = None, token: str | None = None) -> TestResponse:
        return self.client.patch(ADMIN_BASE + path, json=json, headers=self._headers(token))

    def delete(self, path: str, token: str | None = None) -> TestResponse:
        return self.client.delete(ADMIN_BASE + path, headers=self._headers(token))

    # --- shortcuts for the common set-up steps ------------------------------------

    @property
    def apps_path(self) -> str:
        return f"/groups/{self.group_id}/apps"

    def create_app(self, name: str = "myapp") -> dict[str, Any]:
        response = self.post(self.apps_path, json={"name": name})
        assert response.status_code == 201, response.json
        body: dict[str, Any] = response.json
        return body

    def app_path(self, app_id: str) -> str:
        return f"{self.apps_path}/{app_id}"

    def provider(self, app_id: str, provider_type: str) -> dict[str, Any]:
        providers = self.get(f"{self.app_path(app_id)}/auth_providers").json
        return next(p for p in providers if p["type"] == provider_type)

    def enable_api_keys(self, app_id: str) -> None:
        provider = self.provider(app_id, "api-key")
        response = self.put(f"{self.app_path(app_id)}/auth_providers/{provider['_id']}/enable")
        assert response.status_code == 204

    def create_server_key(self, app_id: str, name: str) -> TestResponse:
        return self.post(f"{self.app_path(app_id)}/api_keys", json={"name": name})


def new_admin(app: Flask, client: FlaskClient, *groups: str) -> AdminSession:
    """Create an admin key pair granted `groups` and log it in."""
    with app.app_context(), db.database.connection_context():
        issued = admin.create_admin_key(list(groups) or ["default"])
    session = AdminSession(client, issued.admin_key.public_key, issued.private_key)
    session.login()
    return session


@pytest.fixture
def admin_session(app: Flask, client: FlaskClient) -> AdminSession:
    return new_admin(app, client)


@pytest.fixture
def enabled_app(admin_session: AdminSession) -> dict[str, Any]:
    """An app whose api-key provider is enabled."""
    created = admin_session.create_app("keysapp")
    admin_session.enable_api_keys(created["_id"])
    return created
