"""CORS: browsers run realm-web, so the Client API answers cross-origin requests (any
origin by default, or the configured ones); the Admin API sends no CORS headers at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.app import InProcessAdmin, make_app
from tests.support.client_actions import ClientApp, client_app_on
from tests.support.http import ADMIN_BASE, CLIENT_BASE
from tests.support.wire import assert_error, assert_json

ORIGIN = "https://app.example.com"


def _preflight(client: FlaskClient, path: str, origin: str = ORIGIN,
               method: str = "POST") -> TestResponse:
    return client.options(path, headers={
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    })


def _cors_headers(response: TestResponse) -> dict[str, str]:
    return {name: value for name, value in response.headers.items()
            if name.lower().startswith("access-control-")}


def _allows(response: TestResponse, origin: str) -> bool:
    return response.headers.get("Access-Control-Allow-Origin") in {"*", origin}


# --- the Client API ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "method"), [
    ("/auth/session", "POST"),
    ("/auth/api_keys", "POST"),
    ("/auth/api_keys/5f0000000000000000000001/disable", "PUT"),
    ("/auth/profile", "GET"),
])
def test_a_browsers_preflight_for_a_client_call_is_allowed_with_the_authorization_header(
    realm: ClientApp, path: str, method: str
) -> None:
    response = _preflight(realm.client, CLIENT_BASE + path, method=method)

    assert response.status_code < 300
    assert _allows(response, ORIGIN)
    allowed = response.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert method in response.headers.get("Access-Control-Allow-Methods", "")


def test_a_preflight_for_a_login_is_allowed(realm: ClientApp) -> None:
    response = _preflight(realm.client, realm.app_url("/auth/providers/api-key/login"))

    assert response.status_code < 300
    assert _allows(response, ORIGIN)


def test_a_client_response_carries_the_allow_origin_header(realm: ClientApp) -> None:
    response = realm.client.post(realm.app_url("/auth/providers/anon-user/login"),
                                 json={"options": {"device": {}}},
                                 headers={"Origin": ORIGIN})

    assert_json(response, 200)
    assert _allows(response, ORIGIN)


def test_a_client_error_carries_the_allow_origin_header_so_the_browser_can_read_it(
    realm: ClientApp,
) -> None:
    response = realm.client.post(realm.app_url("/auth/providers/api-key/login"),
                                 json={"key": "not-a-key"}, headers={"Origin": ORIGIN})

    assert_error(response, 401, "AuthError")
    assert _allows(response, ORIGIN)


def test_configured_origins_are_the_only_ones_allowed(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    restricted = make_app(database_url, tmp_path / "configured",
                          CORS_ALLOWED_ORIGINS="https://a.test")
    realm = client_app_on(restricted)
    location = realm.app_url("/location")

    allowed = realm.client.get(location, headers={"Origin": "https://a.test"})
    refused = realm.client.get(location, headers={"Origin": "https://b.test"})
    refused_preflight = _preflight(realm.client, CLIENT_BASE + "/auth/session",
                                   origin="https://b.test")

    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://a.test"
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Origin" not in refused_preflight.headers


# --- the Admin API -------------------------------------------------------------------


def test_no_admin_api_response_carries_cors_headers(
    realm: ClientApp, admin_session: InProcessAdmin
) -> None:
    origin = {"Origin": ORIGIN}
    admin_session.extra_headers = origin  # sent with each of the admin's own calls
    responses = {
        "login": realm.client.post(
            f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
            json={"username": admin_session.public_key, "apiKey": admin_session.private_key},
            headers=origin,
        ),
        "profile": admin_session.get("/auth/profile"),
        "apps": admin_session.get(admin_session.apps_path),
        "server key": admin_session.post(f"{realm.admin_path}/api_keys", json={"name": "k"}),
        "error": realm.client.get(f"{ADMIN_BASE}/auth/profile", headers=origin),
        "preflight": _preflight(realm.client, f"{ADMIN_BASE}/auth/profile"),
        "preflight of a login": _preflight(
            realm.client, f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login"
        ),
    }

    assert responses["profile"].status_code == 200
    assert responses["error"].status_code == 401
    assert {name: _cors_headers(response) for name, response in responses.items()} == {
        name: {} for name in responses
    }
