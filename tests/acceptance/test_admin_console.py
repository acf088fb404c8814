"""Steps of features/admin_console.feature: the admin console in a real browser, S5 and S16.

Black-box like every step here. The admin is Debian's Chromium, headless, driven with
Playwright's sync API: one browser for the session (`chromium_browser`, tests/conftest.py,
shared with tests/browser), a fresh profile (no cookies) per scenario. It opens the
console of the server the other steps talk to (`base_url`: the suite's SQLite and
PostgreSQL servers, or `--base-url`), signs in with the same admin key pair, and clicks
links and buttons by the names a person reads on the page. What it did is checked over
HTTP with `requests`, through the Admin and Client APIs.

Without Chromium these scenarios are skipped, except in CI (CI=true), where they fail,
as tests/browser's do (tests/support/chromium.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from pytest_bdd import given, scenarios, then, when

from tests.acceptance.world import Key, World, pattern
from tests.support.chromium import TIMEOUT_MS

# The browser first: without Chromium the scenarios are skipped before any server starts.
pytestmark = pytest.mark.usefixtures("chromium_browser", "base_url")

scenarios("../../features/admin_console.feature")

# The shape of a key value (README, Security): seen anywhere on a page, it is a key shown.
KEY_VALUE = re.compile(r"\bask_[0-9A-Za-z]{20,}")


@dataclass
class Console:
    """The admin at the browser: one tab on the console of the server under test."""

    page: Page
    base_url: str
    signed_in: bool = False

    def goto(self, path: str) -> None:
        """Open a console path. URLs are built in full: a deployment may sit under a path."""
        self.page.goto(self.base_url + path)

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    def clickable(self, name: str) -> Locator:
        """The one button or link whose accessible name is exactly `name`."""
        return (self.page.get_by_role("button", name=name, exact=True)
                .or_(self.page.get_by_role("link", name=name, exact=True)))

    def key_row(self, name: str) -> Locator:
        """The row of the API Keys table whose Name cell is `name`."""
        return self.page.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=name, exact=True))

    def where(self) -> str:
        """The page the browser is on, for assertion messages."""
        return f"on {self.page.url}:\n{self.main.inner_text()}"


@pytest.fixture
def console(chromium_browser: Browser, base_url: str) -> Iterator[Console]:
    context = chromium_browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    admin = Console(context.new_page(), base_url)
    try:
        yield admin
    finally:
        if admin.signed_in:  # end the console's Admin API session; tidy, not a check
            with contextlib.suppress(PlaywrightError):
                admin.goto("/console/apps")
                admin.page.get_by_role("button", name="Sign out").click(timeout=5_000)
        context.close()


# --- signing in and finding the app ------------------------------------------------------


@given("the admin has signed in to the console with the admin key pair")
def the_admin_has_signed_in(console: Console, world: World) -> None:
    console.goto("/console/")
    expect(console.page.get_by_role("heading", name="Sign in")).to_be_visible()
    console.page.get_by_label("Public key").fill(world.admin.public_key)
    console.page.get_by_label("Private key").fill(world.admin.private_key)
    console.page.get_by_role("button", name="Sign in").click()
    expect(console.page.get_by_role("heading", name="Apps", exact=True)).to_be_visible()
    console.signed_in = True


@given("the admin has opened the app from the console's Apps page")
def the_admin_has_opened_the_app(console: Console, world: World) -> None:
    response = world.app_call("GET")
    assert response.status_code == 200, response.text
    console.goto("/console/apps")
    console.main.get_by_role("link", name=response.json()["name"], exact=True).click()
    expect(console.page.get_by_role("heading", name="App Users")).to_be_visible()
    expect(console.page.get_by_text("Client App ID")).to_contain_text(world.client_app_id)


# --- what the admin does ---------------------------------------------------------------------


@when(pattern('the admin selects "{link}" from the left navigation menu'))
def the_admin_selects_from_the_navigation(console: Console, link: str) -> None:
    console.page.get_by_role("navigation", name="App", exact=True).get_by_role(
        "link", name=link, exact=True).click()
    expect(console.page.get_by_role("heading", name=link, exact=True)).to_be_visible()


@when(pattern('the admin selects the "{button}" button and then the "{provider}" provider'))
def the_admin_selects_a_provider(console: Console, button: str, provider: str) -> None:
    console.page.get_by_role("navigation", name="App Users").get_by_role(
        "link", name=button, exact=True).click()
    expect(console.page.get_by_role("heading", name=button, exact=True)).to_be_visible()
    console.main.get_by_role("link", name=provider, exact=True).click()
    expect(console.page.get_by_role("heading", name=provider, exact=True)).to_be_visible()


@when(pattern('the admin selects "{provider}" from the Authentication page'))
def the_admin_selects_from_authentication(console: Console, provider: str) -> None:
    console.page.get_by_role("row", name=provider).get_by_role(
        "link", name=provider, exact=True).click()
    # The provider's own page ("API Keys provider"), not the app's keys ("API Keys").
    expect(console.page.get_by_role("heading", name=f"{provider} provider", exact=True)
           ).to_be_visible()


@when(pattern('the admin clicks "{name}"'))
def the_admin_clicks(console: Console, name: str) -> None:
    console.clickable(name).click()


@when(pattern('the admin enters a unique name for the key, "{name}", and then clicks "Save"'))
@when(pattern('the admin enters the name "{name}" for the key and then clicks "Save"'))
@when(pattern('the admin changes the name to "{name}" and then clicks "Save"'))
def the_admin_enters_a_name(console: Console, name: str) -> None:
    console.page.get_by_label("API key name").fill(name)
    console.clickable("Save").click()


@when("the admin reloads the page")
def the_admin_reloads(console: Console) -> None:
    console.page.reload()


# --- what the page shows ---------------------------------------------------------------------


@then(pattern('the page says "{text}"'))
def the_page_says(console: Console, text: str) -> None:
    expect(console.main).to_contain_text(text)


@then(pattern('the Authentication page lists the "{provider}" provider as "{state}"'))
def the_authentication_page_lists(console: Console, provider: str, state: str) -> None:
    expect(console.page.get_by_role("heading", name="Authentication", exact=True)).to_be_visible()
    expect(console.page.get_by_role("row", name=provider)).to_contain_text(state)


@then(pattern('the page shows the provider\'s state as "{state}"'))
def the_provider_state_is(console: Console, state: str) -> None:
    state_cell = console.main.locator("dt", has_text="State").locator(
        "xpath=following-sibling::dd[1]")
    expect(state_cell).to_have_text(state)


@then(pattern('the page offers no configuration options, only "{button}"'))
def the_page_offers_no_options(console: Console, button: str) -> None:
    """No field to fill or choose; the one button is the toggle, the one form the toggle's."""
    expect(console.main.get_by_role("button")).to_have_count(1)
    expect(console.main.get_by_role("button")).to_have_accessible_name(button)
    fields = console.main.locator("input:not([type=hidden]), select, textarea, [contenteditable]")
    expect(fields).to_have_count(0)
    actions = [form.get_attribute("action") or "" for form in console.main.locator("form").all()]
    assert len(actions) == 1 and re.search(r"/(enable|disable)$", actions[0]), (
        f"forms that post to {actions} {console.where()}")


@then(pattern('the page shows the value of the new "{name}" key once, with the warning '
              '"{warning}"'))
def the_page_shows_the_new_key(console: Console, world: World, name: str,
                               warning: str) -> None:
    page = console.page
    expect(page.get_by_role("heading", name=f"API key {name} created")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(warning)
    value = page.get_by_label(f"Key of {name}").input_value()
    assert KEY_VALUE.fullmatch(value), f"not a key value: {value!r} {console.where()}"
    assert page.content().count(value) == 1, f"the value is shown more than once {console.where()}"
    assert value not in page.url
    # Copied, as the page asks; its id is the Admin API's (the value never is).
    history = len(world.http.history)
    key_id = next((key["_id"] for key in world.server_keys() if key["name"] == name), None)
    assert key_id is not None, f"the Admin API does not list a key named {name!r}"
    world.keys[name] = Key(name, key_id, value, "server", created_at=history)


@then(pattern('the API Keys list shows the "{name}" key as "{state}", without its value'))
def the_list_shows_the_key(console: Console, world: World, name: str, state: str) -> None:
    expect(console.page.get_by_role("heading", name="API Keys", exact=True)).to_be_visible()
    expect(console.key_row(name)).to_have_count(1)
    expect(console.key_row(name)).to_contain_text(state)
    _no_key_value_on_the_page(console, world)


@then(pattern('the form says "{text}"'))
def the_form_says(console: Console, text: str) -> None:
    expect(console.page.get_by_role("alert")).to_have_text(text)


@then(pattern('the "{label}" field still holds "{value}"'))
def the_field_holds(console: Console, label: str, value: str) -> None:
    expect(console.page.get_by_label(label)).to_have_value(value)


@then("the page shows no key's value")
def the_page_shows_no_value(console: Console, world: World) -> None:
    _no_key_value_on_the_page(console, world)


def _no_key_value_on_the_page(console: Console, world: World) -> None:
    """Neither a value the scenario copied nor anything shaped like a key, page or URL."""
    html, url = console.page.content(), console.page.url
    for key in world.keys.values():
        assert key.value not in html and key.value not in url, (
            f"the value of the {key.name!r} key is shown again {console.where()}")
    assert not KEY_VALUE.search(html), f"a key value is on the page {console.where()}"


# --- what the Admin API shows ---------------------------------------------------------------


@then(pattern('the Admin API shows no configuration for the "{provider_type}" provider'))
def the_provider_has_no_configuration(world: World, provider_type: str) -> None:
    assert world.provider(provider_type)["config"] == {}


@then(pattern('the Admin API lists the app\'s server API keys as "{name}" alone, without its '
              'value'))
def the_admin_api_lists(world: World, name: str) -> None:
    listed = world.server_keys()
    # Less `last_used` (issue 15), there once the key has logged in: when and from where.
    original_fields = [{field: value for field, value in key.items() if field != "last_used"}
                       for key in listed]
    assert original_fields == [{"_id": world.keys[name].id, "name": name, "disabled": False}], \
        listed
