"""Accessible basics: every input is labelled, the console works from the keyboard with a
visible focus, and nothing scrolls sideways at 320 CSS pixels (a 1280px-wide window at
400% zoom)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.driver import Person, new_context
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => el.type !== 'hidden')
  .filter((el) => {
    const labels = Array.from(el.labels || []).filter((l) => l.textContent.trim());
    return !labels.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
  })
  .map((el) => el.outerHTML)"""

NAMELESS_CONTROLS = """() => Array.from(document.querySelectorAll('a[href], button'))
  .filter((el) => !el.hidden && !el.textContent.trim() && !el.getAttribute('aria-label'))
  .map((el) => el.outerHTML)"""

SIDEWAYS = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""


def _visit_every_page(person: Person, app_name: str) -> Iterator[str]:
    """Go through the console's main pages, yielding the name of each once it is shown."""
    page = person.page

    def heading(name: str) -> None:  # the next page has loaded
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()

    page.goto("/console/sign-in")
    yield "sign in"
    person.sign_in()
    yield "apps"
    person.create_app(app_name)
    yield "app users"
    page.get_by_role("link", name="Authentication", exact=True).click()
    heading("Authentication")
    yield "authentication"
    page.get_by_role("link", name="API Keys", exact=True).click()
    expect(page.locator(".facts")).to_be_visible()
    yield "provider"
    person.open_api_keys()
    yield "api keys (provider disabled)"
    page.get_by_role("button", name="Enable the API Keys provider").click()
    expect(page.get_by_text("The API Keys provider is enabled.")).to_be_visible()
    page.get_by_role("link", name="Create API Key").click()
    heading("Create API Key")
    yield "create api key"
    page.get_by_label("API key name").fill("a-rather-long-key-name-for-a-narrow-screen")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Copy the key now")
    yield "api key created"
    page.get_by_role("link", name="I have copied the key").click()
    heading("API Keys")
    yield "api keys"
    page.get_by_role("link", name="Roll API key").first.click()
    expect(page.get_by_role("heading", name="Roll API key")).to_be_visible()
    yield "roll api key"
    page.get_by_label("1 hour").check()
    page.get_by_role("button", name="Roll API key").click()
    expect(page.get_by_role("alert")).to_contain_text("Copy the key now")
    yield "api key rolled"
    page.get_by_role("link", name="I have copied the key").click()
    heading("API Keys")
    page.get_by_role("link", name="Create API Key").click()
    heading("Create API Key")
    page.get_by_label("API key name").fill("a-rather-long-key-name-for-a-narrow-screen")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("already exists")
    yield "duplicate name"
    page.get_by_role("link", name="Cancel").click()
    heading("API Keys")
    page.get_by_role("link", name="Delete API key").first.click()
    expect(page.get_by_role("heading", name="Delete API key")).to_be_visible()
    yield "confirm delete"
    page.get_by_role("link", name="Cancel").click()
    heading("API Keys")
    page.get_by_role("navigation", name="App Users").get_by_role(
        "link", name="Users", exact=True).click()
    expect(page.get_by_role("table")).to_be_visible()
    yield "users"
    page.goto("/console/no-such-page")
    yield "not found"


def test_every_input_has_a_label_and_every_control_a_name(person: Person) -> None:
    problems: dict[str, list[str]] = {}
    for name in _visit_every_page(person, "labelled"):
        found = person.page.evaluate(UNLABELLED) + person.page.evaluate(NAMELESS_CONTROLS)
        if found:
            problems[name] = found
    assert problems == {}


@pytest.fixture
def narrow_page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    context = new_context(browser, server, viewport={"width": 320, "height": 640})
    try:
        yield context.new_page()
    finally:
        context.close()


def test_no_page_scrolls_sideways_at_320_pixels(narrow_page: Page) -> None:
    sideways = {name: overflow for name in _visit_every_page(Person(narrow_page), "narrow")
                if (overflow := narrow_page.evaluate(SIDEWAYS)) > 0}
    assert sideways == {}


def test_signing_in_and_creating_a_key_with_the_keyboard_alone(person: Person) -> None:
    page = person.page
    page.goto("/console/sign-in")

    def tab_to(predicate: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {predicate})(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached an element where {predicate}")

    tab_to("el.id === 'public_key'")
    page.keyboard.type(ADMIN_PUBLIC_KEY)
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PRIVATE_KEY)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Apps", exact=True)).to_be_visible()

    tab_to("el.id === 'app-name'")
    page.keyboard.type("keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="App Users")).to_be_visible()

    tab_to("el.textContent.trim() === 'Authentication Providers'")
    focus = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert focus[0] != "none" and focus[1] >= 2, f"no visible focus: {focus}"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Authentication Providers")).to_be_visible()
    tab_to("el.textContent.trim() === 'API Keys'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="API Keys", exact=True)).to_be_visible()
    tab_to("el.textContent.trim() === 'Enable the API Keys provider'")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The API Keys provider is enabled.")).to_be_visible()
    tab_to("el.textContent.trim() === 'Create API Key'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Create API Key")).to_be_visible()
    tab_to("el.id === 'key-name'")
    page.keyboard.type("typed")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="API key typed created")).to_be_visible()
