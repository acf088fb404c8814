"""A real browser on a real server: Playwright drives Debian's Chromium, headless, against
`appservices serve` (SQLite) started by LiveServer.

Chromium is Debian's (`/usr/bin/chromium`, or APPSERVICES_CHROMIUM); Playwright's own
browser downloads are never used. Without it these tests are skipped, except in CI
(CI=true), where `.ci/run` installs it first and a missing browser is a failure. The
browser is the session's `chromium_browser` (tests/conftest.py, tests/support/chromium.py),
shared with the console scenarios of tests/acceptance.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.driver import SCREENSHOTS, Person, new_context
from tests.support.live_server import LiveServer


@pytest.fixture(scope="session")
def browser(chromium_browser: Browser) -> Browser:
    """Debian's Chromium, headless, for the whole session (per xdist worker)."""
    return chromium_browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test module, with the LiveServer's admin key pair."""
    with LiveServer(tmp_path_factory.mktemp("browser-server")) as live:
        yield live


@pytest.fixture
def context(browser: Browser, server: LiveServer) -> Iterator[BrowserContext]:
    context = new_context(browser, server)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots when APPSERVICES_UPDATE_SCREENSHOTS=1, so that
    a normal run leaves the committed pictures alone; a scratch folder otherwise."""
    if os.environ.get("APPSERVICES_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


@pytest.fixture
def person(page: Page) -> Person:
    return Person(page)
