"""What a newcomer meets in the console (issue 19): where a key pair comes from, Create
API Key while the provider is off, how to use a new key, the navigation on a 404, adding
an auth provider and deleting an app. Through Flask's test client, on both databases."""

from __future__ import annotations

from flask import Flask

from app.domain import apps, providers
from app.models import App
from tests.console.driver import Console, alerts, page_text
from tests.support.store import in_database


def test_the_sign_in_page_says_where_a_key_pair_comes_from(visitor: Console) -> None:
    text = page_text(visitor.get("/console/sign-in"))

    assert "Where does a key pair come from?" in text
    for source in ("first-admin-key.txt", "appservices admin create-key",
                   "APPSERVICES_ADMIN_PUBLIC_KEY"):
        assert source in text


def test_create_api_key_is_unavailable_while_the_provider_is_disabled(
    console: Console
) -> None:
    created = console.create_app()
    page = console.get(f"{console.app_path(created)}/users/providers/api-key")

    assert 'aria-disabled="true" id="create-unavailable">Create API Key' in page.text
    assert "/users/providers/api-key/new" not in page.text  # no link to the form
    assert page_text(page).count("The API Keys provider is disabled.") == 1
    assert "Enable the API Keys provider" in page.text


def test_create_api_key_is_a_link_once_the_provider_is_enabled(console: Console) -> None:
    created = console.create_app(enable_api_keys=True)
    page = console.get(f"{console.app_path(created)}/users/providers/api-key")

    assert "/users/providers/api-key/new" in page.text
    assert "create-unavailable" not in page.text


def test_the_new_key_page_shows_the_login_url_and_a_realm_web_line(console: Console) -> None:
    created = console.create_app(enable_api_keys=True)
    base = console.app_path(created)
    console.get(f"{base}/users/providers/api-key/new")

    page = console.post(f"{base}/users/providers/api-key", {"name": "reporting"})

    assert page.status_code == 201
    text = page_text(page)
    assert (f"POST http://localhost/api/client/v2.0/app/{created.client_app_id}"
            "/auth/providers/api-key/login") in text
    assert (f'new Realm.App({{ id: "{created.client_app_id}", baseUrl: "http://localhost" }})'
            in text)
    assert "Realm.Credentials.apiKey(key)" in text


def test_a_signed_in_404_keeps_the_navigation(console: Console) -> None:
    page = console.get("/console/no-such-page")

    assert page.status_code == 404
    assert 'aria-label="Console"' in page.text and "Sign out" in page.text


def test_a_404_for_someone_not_signed_in_has_no_navigation(app: Flask) -> None:
    page = app.test_client().get("/console/no-such-page")

    assert page.status_code == 404
    assert "Sign out" not in page.text


def _types(flask_app: Flask, created: App) -> dict[str, dict[str, object]]:
    with in_database(flask_app):
        return {provider.type: {"disabled": provider.disabled, "config": provider.config}
                for provider in providers.list_providers(created)}


def test_an_admin_adds_an_email_password_provider_that_confirms_users(
    console: Console, app: Flask
) -> None:
    created = console.create_app()
    base = console.app_path(created)
    page = console.get(f"{base}/authentication")
    assert 'value="local-userpass"' in page.text and 'value="anon-user"' in page.text
    assert 'option value="api-key"' not in page.text  # the app has it already

    added = console.post(f"{base}/authentication/add",
                         {"type": "local-userpass", "auto_confirm": "1"})

    assert added.status_code == 302
    assert _types(app, created)["local-userpass"] == {"disabled": False,
                                                      "config": {"autoConfirm": True}}
    again = console.get(f"{base}/authentication")
    assert "is added and enabled" in page_text(again)
    assert 'value="local-userpass"' not in again.text


def test_adding_a_provider_the_app_has_is_refused_in_words(console: Console,
                                                           app: Flask) -> None:
    created = console.create_app()
    base = console.app_path(created)
    console.get(f"{base}/authentication")

    refused = console.post(f"{base}/authentication/add", {"type": "api-key"})

    assert refused.status_code == 409
    assert alerts(refused)
    assert list(_types(app, created)) == ["api-key"]


def test_an_admin_deletes_an_app_after_a_confirmation(console: Console, app: Flask) -> None:
    created = console.create_app("doomed")
    listing = console.get("/console/apps")
    delete_path = f"{console.app_path(created)}/delete"
    assert delete_path in listing.text

    question = console.get(delete_path)
    assert "<h1>Delete app doomed?</h1>" in question.text
    with in_database(app):
        assert [each.id for each in apps.list_apps(console.group())] == [created.id]

    deleted = console.post(delete_path)

    assert deleted.status_code == 302 and deleted.location.endswith("/console/apps")
    with in_database(app):
        assert apps.list_apps(console.group()) == []
