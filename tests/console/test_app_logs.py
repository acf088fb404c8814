"""The console's Logs page of an app (issue 15): the newest entries with their filters,
linked from the app's navigation; an error's `link` opens its entry; what clients chose
(device descriptions, key names) is shown as text, never as markup."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import TestResponse

from app import storage
from app.domain import api_keys, app_logs
from app.models import App
from tests.console.driver import Console, alerts, page_text
from tests.support.http import CLIENT_BASE
from tests.support.store import in_database

HOSTILE = "<script>alert(1)</script>"


def _key_of(console: Console, app: App, name: str = "backend") -> str:
    with in_database(console.flask_app):
        return api_keys.create_server_key(app, name).key


def _login(console: Console, app: App, key: str, device: dict[str, Any] | None = None
           ) -> TestResponse:
    return console.client.post(
        f"{CLIENT_BASE}/app/{app.client_app_id}/auth/providers/api-key/login",
        json={"key": key, "options": {"device": device or {}}})


def _logs_path(console: Console, app: App) -> str:
    return f"{console.app_path(app)}/logs"


def test_the_logs_page_is_in_the_apps_navigation(console: Console) -> None:
    app = console.create_app("logged", enable_api_keys=True)

    users = console.get(f"{console.app_path(app)}/users")

    assert f'href="{_logs_path(console, app)}"' in users.text
    page = console.get(_logs_path(console, app))
    assert page.status_code == 200
    assert 'aria-current="page">Logs</a>' in page.text
    assert "No log entries." in page_text(page)


def test_the_logs_page_lists_the_newest_entries_first(console: Console) -> None:
    app = console.create_app("logged", enable_api_keys=True)
    key = _key_of(console, app)
    ok = _login(console, app, key, {"platform": "Android", "platformVersion": "14",
                                    "sdk": "Realm Kotlin", "sdkVersion": "1.16.0"})
    refused = _login(console, app, "ask_wrong")

    text = page_text(console.get(_logs_path(console, app)))

    assert text.index(refused.headers["X-Appservices-Request-Id"]) < text.index(
        ok.headers["X-Appservices-Request-Id"])
    assert "401 AuthError" in text and "200" in text
    assert "Android 14" in text and "Realm Kotlin 1.16.0" in text
    assert "login api-key" in text


def test_each_filter_narrows_the_page(console: Console) -> None:
    app = console.create_app("logged", enable_api_keys=True)
    key = _key_of(console, app)
    ok = _login(console, app, key).get_json()
    refused = _login(console, app, "ask_wrong")
    path = _logs_path(console, app)

    errors = page_text(console.get(path, query_string={"errors": "1"}))
    by_user = page_text(console.get(path, query_string={"user": ok["user_id"]}))
    auth = page_text(console.get(path, query_string={"type": "AUTH"}))
    keys = page_text(console.get(path, query_string={"type": "API_KEY"}))
    future = page_text(console.get(path, query_string={"since": "2999-01-01T00:00"}))
    past = page_text(console.get(path, query_string={"until": "2000-01-01T00:00:00"}))

    assert refused.headers["X-Appservices-Request-Id"] in errors and "200" not in errors
    assert ok["user_id"] in by_user and "AuthError" not in by_user
    assert "AuthError" in auth and ok["user_id"] in auth
    assert "No log entries match these filters." in keys  # the key was made in-process
    assert "No log entries match these filters." in future
    assert "No log entries match these filters." in past


def test_a_bad_filter_says_so(console: Console) -> None:
    app = console.create_app("logged")

    response = console.get(_logs_path(console, app), query_string={"since": "yesterday"})

    assert response.status_code == 400
    assert any("start_date" in alert for alert in alerts(response))


def test_older_entries_are_on_the_next_pages(console: Console) -> None:
    app = console.create_app("logged")
    now = app_logs.now_ms()
    with in_database(console.flask_app):
        for number in range(60):
            app_logs.record(app_logs.NewEntry(
                app_id=app.id, co_id=storage.new_object_id(), type="AUTH",
                request_url="/x", request_method="POST", started=now - number // 2,
                completed=now, status=200, auth_event={"type": "login"}))

    seen: list[str] = []
    page = console.get(_logs_path(console, app))
    while True:
        seen += page.text.split("co_id=")[1:]
        older = [part for part in page.text.split('href="')[1:]
                 if part.startswith(_logs_path(console, app) + "?") and "end=" in part]
        if not older:
            break
        page = console.get(older[0].split('"')[0].replace("&amp;", "&"))
        assert page.status_code == 200

    assert len(seen) == 60 and len({co_id[:24] for co_id in seen}) == 60


def test_the_link_of_an_error_opens_its_entry(console: Console) -> None:
    app = console.create_app("logged", enable_api_keys=True)
    refused = _login(console, app, "ask_wrong", {"platform": "iOS"})
    link = urlsplit(refused.get_json()["link"])

    redirected = console.get(f"{link.path}?{link.query}")
    entry = console.get(redirected.headers["Location"])

    assert entry.status_code == 200
    text = page_text(entry)
    assert "Request log entry" in text
    assert refused.headers["X-Appservices-Request-Id"] in text
    assert "AuthError" in text and refused.get_json()["error"] in text
    assert f"POST /api/client/v2.0/app/{app.client_app_id}/auth/providers/api-key/login" in text
    assert "iOS" in text and "login with api-key" in text


def test_client_supplied_values_are_shown_as_text(console: Console) -> None:
    app = console.create_app("logged", enable_api_keys=True)
    key = _key_of(console, app)
    login = _login(console, app, key, {"platform": HOSTILE, "platformVersion": HOSTILE,
                                       "sdk": HOSTILE, "sdkVersion": HOSTILE})
    co_id = login.headers["X-Appservices-Request-Id"]

    for page in (console.get(_logs_path(console, app)),
                 console.get(_logs_path(console, app), query_string={"co_id": co_id})):
        assert page.status_code == 200
        assert HOSTILE not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert HOSTILE in page_text(page)  # shown, as the text it is
