"""Fixtures shared by every test: the app on SQLite and on a real PostgreSQL, and an
admin who is logged in.

Every test that takes `app` (or anything built on it) runs twice: once on a fresh
SQLite file and once on a throw-away PostgreSQL server that the suite starts itself
(or the one named by APPSERVICES_TEST_DATABASE_URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock, storage
from tests.acceptance.options import pytest_addoption  # noqa: F401 (--base-url)
from tests.support import chromium
from tests.support.app import InProcessAdmin, empty_postgres_tables, make_app, new_admin
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresServer, external_postgres_url

if TYPE_CHECKING:
    from playwright.sync_api import Browser


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
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One `appservices serve` on SQLite for the whole session (per xdist worker), for the
    black-box tests that need a server and nothing special of it (tests/cli,
    tests/interop). They make apps of their own, so they never see each other's state."""
    with LiveServer(tmp_path_factory.mktemp("live-server")) as server:
        yield server


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings the `app` below is made with, beside the tests' own; a module overrides it."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_settings: dict[str, Any]) -> Iterator[Flask]:
    clock.reset()
    flask_app = make_app(database_url, tmp_path / "instance", **app_settings)
    if not database_url.startswith("sqlite"):
        empty_postgres_tables()
    yield flask_app
    clock.reset()
    storage.close_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin_session(app: Flask, client: FlaskClient) -> InProcessAdmin:
    return new_admin(app, client)


@pytest.fixture
def enabled_app(admin_session: InProcessAdmin) -> dict[str, Any]:
    """An app whose api-key provider is enabled."""
    created = admin_session.create_app("keysapp")
    admin_session.enable_api_keys(created["_id"])
    return created
