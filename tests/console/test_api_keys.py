"""App Users → Authentication Providers → API Keys: create (shown once), refusals in
words with the name kept, enable, disable, delete after confirmation."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.domain import api_keys
from app.models import ApiKey, App
from tests.console.driver import Console, alerts, field_value, page_text
from tests.support.store import in_database

KEY_VALUE = re.compile(r'<input id="new-key"[^>]*value="([^"]+)"', re.S)


def _keys(flask_app: Flask, created: App) -> list[ApiKey]:
    with in_database(flask_app):
        return api_keys.list_server_keys(created)


def _keys_path(console: Console, created: App) -> str:
    return f"{console.app_path(created)}/users/providers/api-key"


def test_a_key_is_created_and_its_value_shown_once(app: Flask, console: Console) -> None:
    created = console.create_app("once", enable_api_keys=True)
    path = _keys_path(console, created)
    form = console.get(f"{path}/new")
    assert '<label for="key-name">API key name</label>' in form.text
    response = console.post(path, {"name": "reporting"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert "Location" not in response.headers
    match = KEY_VALUE.search(response.text)
    assert match is not None
    key = match.group(1)
    assert key.startswith("ask_")
    assert "Copy the key now. This is the only time it is shown: it cannot be retrieved later." \
        in page_text(response)
    assert 'data-copy-target="new-key"' in response.text
    assert key not in str(response.headers)  # not in a cookie, not in a header
    # Never again: not on any page, and it logs in as the Realm SDKs do.
    for page in (path, f"{console.app_path(created)}/users", f"{path}/new"):
        assert key not in console.get(page).text
    login = console.client.post(
        f"/api/client/v2.0/app/{created.client_app_id}/auth/providers/api-key/login",
        json={"key": key})
    assert login.status_code == 200
    listed = console.get(path).text
    assert "<strong>reporting</strong>" in listed and "Enabled" in listed
    assert "A key's value is shown only when it is created" in page_text(console.get(path))


def test_the_key_is_not_kept_in_the_session(app: Flask, console: Console) -> None:
    created = console.create_app("nosession", enable_api_keys=True)
    response = console.post(_keys_path(console, created), {"name": "secretive"})
    key = KEY_VALUE.search(response.text).group(1)
    cookie = console.client.get_cookie("appservices_console", path="/console")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert key not in str(serializer.loads(cookie.value))


def test_while_the_provider_is_disabled_the_page_says_so_and_offers_to_enable_it(
        app: Flask, console: Console) -> None:
    created = console.create_app("disabled")
    path = _keys_path(console, created)
    page = page_text(console.get(path))
    assert "The API Keys provider is disabled. Enable it before you create a key." in page
    assert "Enable the API Keys provider" in page
    response = console.post(path, {"name": "too-early"})
    assert response.status_code == 400
    assert alerts(response) == [
        "The api-key auth provider is disabled; enable it before creating API keys."]
    assert field_value(response, "key-name") == "too-early"
    assert _keys(app, created) == []


@pytest.mark.parametrize(("name", "status", "says"), [
    ("reporting", 409, "An API key named 'reporting' already exists."),
    ("two words", 400,
     "An API key name can only contain ASCII letters, numbers, underscores, and hyphens."),
    ("", 400, "API key name must not be empty."),
    ("x" * 65, 400, "API key name must be at most 64 characters."),
])
def test_a_refused_key_is_explained_in_words_and_the_name_kept(
        app: Flask, console: Console, name: str, status: int, says: str) -> None:
    created = console.create_app("refusals", enable_api_keys=True)
    with in_database(app):
        api_keys.create_server_key(created, "reporting")
    response = console.post(_keys_path(console, created), {"name": name})
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert alerts(response) == [says]
    assert field_value(response, "key-name") == name
    assert 'aria-invalid="true"' in response.text
    assert len(_keys(app, created)) == 1


def test_the_101st_key_is_refused_in_words(app: Flask, console: Console) -> None:
    created = console.create_app("full", enable_api_keys=True)
    with in_database(app):
        for number in range(api_keys.SERVER_KEY_LIMIT):
            api_keys.create_server_key(created, f"key-{number}")
    response = console.post(_keys_path(console, created), {"name": "one-too-many"})
    assert response.status_code == 400
    assert alerts(response) == ["An app can have at most 100 server API keys."]
    assert field_value(response, "key-name") == "one-too-many"
    assert len(_keys(app, created)) == 100


def test_a_key_is_disabled_and_enabled(app: Flask, console: Console) -> None:
    created = console.create_app("toggle", enable_api_keys=True)
    with in_database(app):
        issued = api_keys.create_server_key(created, "reporting")
    base = console.app_path(created)
    response = console.post(f"{base}/api-keys/{issued.api_key.id}/disable")
    assert response.headers["Location"] == _keys_path(console, created)
    assert _keys(app, created)[0].disabled is True
    page = console.get(_keys_path(console, created))
    assert "API key reporting is disabled." in page_text(page)
    assert "Enable<span class=\"visually-hidden\"> API key reporting</span>" in page.text
    console.post(f"{base}/api-keys/{issued.api_key.id}/enable")
    assert _keys(app, created)[0].disabled is False


def test_a_key_is_deleted_only_after_confirmation(app: Flask, console: Console) -> None:
    created = console.create_app("deletion", enable_api_keys=True)
    with in_database(app):
        issued = api_keys.create_server_key(created, "reporting")
    path = f"{console.app_path(created)}/api-keys/{issued.api_key.id}/delete"
    confirm = console.get(path)
    assert confirm.status_code == 200
    assert "<h1>Delete API key reporting?</h1>" in confirm.text
    assert f'<form method="post" action="{path}"' in confirm.text
    assert len(_keys(app, created)) == 1  # asking deletes nothing
    response = console.post(path)
    assert response.headers["Location"] == _keys_path(console, created)
    assert _keys(app, created) == []
    assert "API key reporting is deleted." in page_text(console.get(_keys_path(console, created)))
    gone = console.post(path)
    assert gone.status_code == 404
    assert alerts(gone) == ["API key not found."]
