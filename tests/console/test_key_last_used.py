"""The API Keys page shows each key's last login: when, from where, with what SDK and
platform. Those come from the client and are shown as text, never as markup."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.models import App
from tests.console.driver import Console, page_text

HOSTILE = "<script>alert(1)</script>"


def _keys_path(console: Console, created: App) -> str:
    return f"{console.app_path(created)}/users/providers/api-key"


def _login(console: Console, created: App, key: str, device: dict[str, Any]) -> None:
    response = console.client.post(
        f"/api/client/v2.0/app/{created.client_app_id}/auth/providers/api-key/login",
        json={"key": key, "options": {"device": device}})
    assert response.status_code == 200, response.get_json()


def _new_key(console: Console, created: App, name: str) -> str:
    response = console.post(_keys_path(console, created), {"name": name})
    assert response.status_code == 201
    value = response.text.split('id="new-key"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert value.startswith("ask_")
    return value


def test_a_key_shows_never_then_its_last_login(app: Flask, console: Console) -> None:
    created = console.create_app("lastused", enable_api_keys=True)
    key = _new_key(console, created, "reporting")
    before = console.get(_keys_path(console, created)).text
    assert '<th scope="col">Last used</th>' in before
    assert '<td data-label="Last used">Never</td>' in before

    _login(console, created, key, {"sdk": "Kotlin", "sdkVersion": "1.16.0",
                                   "platform": "Android", "platformVersion": "14"})

    after = console.get(_keys_path(console, created))
    assert '<td data-label="Last used">Never</td>' not in after.text
    assert '<td data-label="Last used"><time datetime=' in after.text
    text = page_text(after)
    assert "from 127.0.0.1 · Kotlin 1.16.0 on Android 14" in text


def test_a_hostile_platform_string_is_shown_escaped(app: Flask, console: Console) -> None:
    created = console.create_app("hostile", enable_api_keys=True)
    key = _new_key(console, created, "victim")

    _login(console, created, key, {"platform": HOSTILE, "sdk": '"><img src=x onerror=1>'})

    page = console.get(_keys_path(console, created))
    assert HOSTILE not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert HOSTILE in page_text(page)  # shown, as the text it is
