"""App Users → API Keys → Roll: a grace choice, the new value shown once; expiry listed."""

from __future__ import annotations

import re

from flask import Flask

from app.domain import api_keys
from app.models import ApiKey, App
from tests.console.driver import Console, page_text
from tests.support.store import in_database

KEY_VALUE = re.compile(r'<input id="new-key"[^>]*value="([^"]+)"', re.S)
CLIENT = "/api/client/v2.0"


def _login_status(console: Console, created: App, key: str) -> int:
    response = console.client.post(
        f"{CLIENT}/app/{created.client_app_id}/auth/providers/api-key/login", json={"key": key})
    return response.status_code


def _new_key(app: Flask, created: App, name: str, expires_at: int | None = None) -> str:
    with in_database(app):
        return api_keys.create_server_key(created, name, expires_at).key


def test_the_key_list_offers_roll_and_shows_expiries(app: Flask, console: Console) -> None:
    created = console.create_app("listing", enable_api_keys=True)
    _new_key(app, created, "forever")
    _new_key(app, created, "nightly", expires_at=4073544000)

    page = console.get(f"{console.app_path(created)}/users/providers/api-key")

    assert '<th scope="col">Expires</th>' in page.text
    text = page_text(page)
    assert "Never" in text and "2099-01-31 12:00 UTC" in text
    assert "Roll API key nightly" in text


def test_rolling_asks_for_a_grace_period_then_shows_the_new_value_once(
    app: Flask, console: Console
) -> None:
    created = console.create_app("rolling", enable_api_keys=True)
    old_value = _new_key(app, created, "reporting")
    with in_database(app):
        key_id = ApiKey.get(ApiKey.name == "reporting").id
    path = f"{console.app_path(created)}/api-keys/{key_id}/roll"

    form = console.get(path)
    assert 'name="csrf_token"' in form.text
    assert 'id="grace-0" name="grace" value="0" checked' in form.text
    response = console.post(path, {"grace": "3600"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    new_value = KEY_VALUE.search(response.text).group(1)
    assert new_value.startswith("ask_") and new_value != old_value
    text = page_text(response)
    assert "API key reporting rolled" in text and "Copy the key now." in text
    assert "The old value keeps logging in until" in text
    assert new_value not in console.get(
        f"{console.app_path(created)}/users/providers/api-key").text
    assert _login_status(console, created, old_value) == 200
    assert _login_status(console, created, new_value) == 200


def test_rolling_without_grace_stops_the_old_value(app: Flask, console: Console) -> None:
    created = console.create_app("nograce", enable_api_keys=True)
    old_value = _new_key(app, created, "reporting")
    with in_database(app):
        key_id = ApiKey.get(ApiKey.name == "reporting").id

    response = console.post(f"{console.app_path(created)}/api-keys/{key_id}/roll",
                            {"grace": "0"})

    assert "The old value no longer logs in" in page_text(response)
    assert _login_status(console, created, old_value) == 401


def test_a_grace_period_over_7_days_is_refused_in_words(app: Flask, console: Console) -> None:
    created = console.create_app("toolong", enable_api_keys=True)
    old_value = _new_key(app, created, "reporting")
    with in_database(app):
        key_id = ApiKey.get(ApiKey.name == "reporting").id

    for grace in ("604801", "soon", "²", "-1"):
        response = console.post(f"{console.app_path(created)}/api-keys/{key_id}/roll",
                                {"grace": grace})
        assert response.status_code == 400
        assert "grace_period_seconds" in page_text(response)
    assert _login_status(console, created, old_value) == 200


def test_rolling_without_the_csrf_token_is_refused(app: Flask, console: Console) -> None:
    created = console.create_app("csrf", enable_api_keys=True)
    old_value = _new_key(app, created, "reporting")
    with in_database(app):
        key_id = ApiKey.get(ApiKey.name == "reporting").id

    response = console.post(f"{console.app_path(created)}/api-keys/{key_id}/roll",
                            {"grace": "0"}, csrf=False)

    assert response.status_code in (400, 403)
    assert _login_status(console, created, old_value) == 200
