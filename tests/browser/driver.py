"""What the browser tests do with Playwright: a person at Debian's Chromium, contexts on the
live server, screenshots (tests/browser/conftest.py makes the fixtures)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.chromium import TIMEOUT_MS
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
# Every screenshot has this size, so docs/console.md's pictures do not jump about.
SCREENSHOT_VIEWPORT = {"width": 1024, "height": 768}


def new_context(browser: Browser, server: LiveServer, **options: object) -> BrowserContext:
    """A fresh browser profile (no cookies) pointed at the server."""
    settings: dict[str, object] = {
        "base_url": server.base_url, "viewport": SCREENSHOT_VIEWPORT,
        "device_scale_factor": 1, "locale": "en-GB", "timezone_id": "UTC",
        "reduced_motion": "reduce", **options,
    }
    context = browser.new_context(**settings)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    return context


def screenshot(page: Page, folder: Path, name: str) -> None:
    """Save the visible part of the page (always the same size) as `name`.png."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False, animations="disabled",
                    caret="hide")


@dataclass
class Person:
    """Someone at the browser, holding the admin key pair, clicking what they see."""

    page: Page

    def sign_in(self, public_key: str = ADMIN_PUBLIC_KEY,
                private_key: str = ADMIN_PRIVATE_KEY) -> None:
        self.page.goto("/console/")
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()
        self.page.get_by_label("Public key").fill(public_key)
        self.page.get_by_label("Private key").fill(private_key)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Apps", exact=True)).to_be_visible()

    def create_app(self, name: str) -> str:
        """Create an app from the Apps page; return the URL of its App Users page."""
        self.page.goto("/console/apps")
        self.page.get_by_label("App name").fill(name)
        self.page.get_by_role("button", name="Create app").click()
        expect(self.page.get_by_role("heading", name="App Users")).to_be_visible()
        return self.page.url

    def open_api_keys(self) -> None:
        """App Users → Authentication Providers → API Keys, as the seed page says."""
        self.page.get_by_role("navigation", name="App", exact=True).get_by_role(
            "link", name="App Users").click()
        self.page.get_by_role("navigation", name="App Users").get_by_role(
            "link", name="Authentication Providers").click()
        self.page.get_by_role("link", name="API Keys", exact=True).click()
        expect(self.page.get_by_role("heading", name="API Keys", exact=True)).to_be_visible()

    def alerts(self) -> list[str]:
        return [re.sub(r"\s+", " ", text).strip()
                for text in self.page.get_by_role("alert").all_inner_texts()]
