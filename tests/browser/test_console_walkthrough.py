"""The seed page's UI steps, followed in a real browser (S16), and the Authentication page's
API Keys toggle (S5).

"Select App Users from the left navigation menu. Select the Authentication Providers button
and then select the API Keys provider. If the API Key provider is not currently enabled, you
must enable it [...] before you can create a key. Click Create API Key. Enter a unique name
for the key and then click Save." And: "You must copy the server key's value as soon as you
create it. Once you create the API key, you can no longer retrieve it."
"""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import BrowserContext, expect

from tests.browser.driver import Person, screenshot
from tests.support.live_server import LiveServer


def _key_logs_in(server: LiveServer, client_app_id: str, key: str) -> int:
    response = requests.post(
        f"{server.base_url}/api/client/v2.0/app/{client_app_id}/auth/providers/api-key/login",
        json={"key": key}, timeout=10)
    return response.status_code


def test_an_admin_follows_the_seed_pages_steps_to_a_server_key(
        person: Person, context: BrowserContext, server: LiveServer, shots: Path) -> None:
    page = person.page
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    # Sign in with the admin key pair.
    page.goto("/console/")
    page.get_by_label("Public key").fill("testadmin")
    screenshot(page, shots, "sign-in")
    person.sign_in()

    # Create an app; a new app's API Keys provider is disabled.
    person.create_app("inventory")
    client_app_id = page.locator(".app-id code").inner_text()
    assert client_app_id.startswith("inventory-")

    # App Users → Authentication Providers → API Keys.
    person.open_api_keys()
    expect(page.get_by_text("The API Keys provider is disabled.")).to_be_visible()
    screenshot(page, shots, "api-keys-provider-disabled")

    # Enable it (nothing to deploy: it takes effect at once) and stay on the page.
    page.get_by_role("button", name="Enable the API Keys provider").click()
    expect(page.get_by_text("The API Keys provider is enabled.")).to_be_visible()
    expect(page.get_by_role("heading", name="API Keys", exact=True)).to_be_visible()

    # Create API Key, a unique name, Save.
    page.get_by_role("link", name="Create API Key").click()
    page.get_by_label("API key name").fill("reporting")
    screenshot(page, shots, "create-api-key")
    page.get_by_role("button", name="Save").click()

    # The key, once, with a copy button and a plain warning.
    expect(page.get_by_role("heading", name="API key reporting created")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "This is the only time it is shown: it cannot be retrieved later.")
    key = page.get_by_label("Key of reporting").input_value()
    assert key.startswith("ask_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text(
        "Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == key
    screenshot(page, shots, "api-key-created")
    assert _key_logs_in(server, client_app_id, key) == 200

    # Back to the list, and reload: the key's value is nowhere.
    page.get_by_role("link", name="I have copied the key").click()
    expect(page.get_by_role("cell", name="reporting", exact=True)).to_be_visible()
    assert key not in page.content()
    page.reload()
    expect(page.get_by_role("cell", name="reporting", exact=True)).to_be_visible()
    assert key not in page.content()

    # The same name again: refused in words, the typed name kept.
    page.get_by_role("link", name="Create API Key").click()
    page.get_by_label("API key name").fill("reporting")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(
        "An API key named 'reporting' already exists.")
    assert person.alerts() == ["An API key named 'reporting' already exists."]
    expect(page.get_by_label("API key name")).to_have_value("reporting")
    screenshot(page, shots, "duplicate-name")

    # Disable the key: it no longer logs in.
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Disable API key reporting").click()
    expect(page.get_by_text("API key reporting is disabled.")).to_be_visible()
    expect(page.get_by_role("row", name="reporting")).to_contain_text("Disabled")
    assert _key_logs_in(server, client_app_id, key) == 401
    screenshot(page, shots, "api-keys")

    # Delete it: a confirmation page first; Cancel keeps the key.
    page.get_by_role("link", name="Delete API key reporting").click()
    expect(page.get_by_role("heading", name="Delete API key reporting?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("cell", name="reporting", exact=True)).to_be_visible()
    page.get_by_role("link", name="Delete API key reporting").click()
    page.get_by_role("button", name="Delete API key reporting").click()
    expect(page.get_by_text("API key reporting is deleted.")).to_be_visible()
    expect(page.get_by_text("This app has no server API keys yet.")).to_be_visible()
    assert _key_logs_in(server, client_app_id, key) == 401


def test_the_authentication_page_enables_and_disables_the_api_key_provider(
        person: Person, shots: Path) -> None:
    page = person.page
    person.sign_in()
    person.create_app("toggler")
    page.get_by_role("link", name="Authentication", exact=True).click()
    row = page.get_by_role("row", name="API Keys")
    expect(row).to_contain_text("Disabled")
    row.get_by_role("button", name="Enable the API Keys provider").click()
    expect(page.get_by_text("The API Keys provider is enabled.")).to_be_visible()
    expect(page.get_by_role("row", name="API Keys")).to_contain_text("Enabled")
    screenshot(page, shots, "authentication")

    # Authentication → API Keys: the provider's own page has the same toggle.
    page.get_by_role("link", name="API Keys", exact=True).click()
    expect(page.get_by_text("It has no configuration options.")).to_be_visible()
    page.get_by_role("button", name="Disable the API Keys provider").click()
    expect(page.get_by_text("The API Keys provider is disabled.")).to_be_visible()
    expect(page.get_by_role("heading", name="API Keys provider", exact=True)).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Disabled")


def test_the_apps_and_users_pages(person: Person, shots: Path) -> None:
    page = person.page
    person.sign_in()
    person.create_app("storefront")
    person.open_api_keys()
    page.get_by_role("button", name="Enable the API Keys provider").click()
    for name in ("ingest", "nightly-export"):
        page.get_by_role("link", name="Create API Key").click()
        page.get_by_label("API key name").fill(name)
        page.get_by_role("button", name="Save").click()
        page.get_by_role("link", name="I have copied the key").click()
    page.get_by_role("navigation", name="App Users").get_by_role(
        "link", name="Users", exact=True).click()
    rows = page.get_by_role("row").filter(has_text="server")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("api-key")
    expect(rows.first).to_contain_text("Enabled")
    screenshot(page, shots, "app-users")
    rows.first.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("row").filter(has_text="Disabled")).to_have_count(1)
    page.get_by_role("link", name="Apps", exact=True).first.click()
    expect(page.get_by_role("link", name="storefront", exact=True)).to_be_visible()
    screenshot(page, shots, "apps")
