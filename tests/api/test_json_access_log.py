"""LOG_FORMAT=json: the access log writes one JSON object per request (issue 15, part 6),
with the request's correlation id, route, status, duration, app and user, and never a
token, key, password or query string. In process: the service wrapped in the access log
as `appservices serve` wraps it, the lines caught from the access logger."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.http.access_log import AccessLog, access_logger
from tests.support.app import new_admin
from tests.support.client_actions import PASSWORD, ClientApp
from tests.support.http import CLIENT_BASE, bearer

LOGIN_ROUTE = "/api/client/v2.0/app/<string:clientAppId>/auth/providers/<string:provider>/login"


class Lines(logging.Handler):
    """Every access line, parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.raw.append(text)
        self.lines.append(json.loads(text))


@pytest.fixture
def lines() -> Iterator[Lines]:
    caught = Lines()
    access_logger.addHandler(caught)
    try:
        yield caught
    finally:
        access_logger.removeHandler(caught)


@pytest.fixture
def logged(app: Flask) -> ClientApp:
    """An app whose requests go through the JSON access log (around the service's own WSGI
    callable: `serve` wraps the app object, which calls it)."""
    app.wsgi_app = AccessLog(app.wsgi_app, json_lines=True)  # type: ignore[method-assign]
    client = app.test_client()
    return ClientApp.create(client, new_admin(app, client), "logged")


def test_a_login_is_one_json_line_with_its_app_user_route_and_status(
    logged: ClientApp, lines: Lines
) -> None:
    key = logged.create_server_key("k")["key"]
    lines.lines.clear()

    response = logged.login("api-key", {"key": key})

    assert response.status_code == 200
    [line] = lines.lines
    assert set(line) == {"time", "co_id", "method", "route", "path", "status", "duration_ms",
                         "remote_addr", "app_id", "client_app_id", "user_id"}
    assert line["co_id"] == response.headers["X-Appservices-Request-Id"]
    assert (line["method"], line["route"], line["status"]) == ("POST", LOGIN_ROUTE, 200)
    assert line["path"] == (f"{CLIENT_BASE}/app/{logged.client_app_id}"
                            "/auth/providers/api-key/login")
    assert (line["app_id"], line["client_app_id"]) == (logged.app_id, logged.client_app_id)
    assert line["user_id"] == response.get_json()["user_id"]
    assert line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_a_token_call_names_its_user_and_an_admin_path_its_app(
    logged: ClientApp, lines: Lines
) -> None:
    ann = logged.register_and_login("ann@example.com")
    lines.lines.clear()

    logged.profile(ann)
    logged.admin.get(f"{logged.admin_path}/api_keys")

    profile, listing = lines.lines
    assert (profile["user_id"], profile["app_id"]) == (ann.user_id, logged.app_id)
    assert profile["route"] == "/api/client/v2.0/auth/profile"
    assert listing["app_id"] == logged.app_id and "user_id" not in listing
    assert listing["route"].endswith("/apps/<string:appId>/api_keys")


def test_no_token_key_password_or_query_string_is_written(
    logged: ClientApp, lines: Lines
) -> None:
    key = logged.create_server_key("secret")["key"]
    ann = logged.register_and_login("ann@example.com")
    logged.login("local-userpass", {"username": "ann@example.com", "password": "wrong-one"})
    logged.client.get(f"{CLIENT_BASE}/auth/profile?token={ann.access_token}",
                      headers=bearer(ann.access_token))
    logged.login("api-key", {"key": key})

    written = "\n".join(lines.raw)
    for secret in (key, key.split("_", 1)[1], ann.access_token, ann.refresh_token, PASSWORD,
                   "wrong-one"):
        assert secret not in written
    [with_query] = [line for line in lines.lines
                    if line["route"] == "/api/client/v2.0/auth/profile"]
    assert with_query["path"] == "/api/client/v2.0/auth/profile"


def test_an_unknown_path_has_no_route_and_odd_characters_stay_escaped(
    logged: ClientApp, lines: Lines
) -> None:
    logged.client.get('/no/such/"path"\u2028')

    [line] = lines.lines
    assert line["route"] is None and line["status"] == 404
    assert line["path"] == '/no/such/"path"\u2028'
    assert "\u2028" not in lines.raw[0]  # one line, whatever the path holds
