"""Client API: the app's location (contract §1, first row).

realm-web asks for the location first and sends every later request to `hostname`, so
`hostname` must point back at this server as the client reaches it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import AdminSession, make_app
from tests.support.client_actions import CLIENT_BASE, ClientApp, client_app_on
from tests.support.wire import assert_error, assert_json

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "auth.example.org"}


def _location(client: FlaskClient, client_app_id: str, **kwargs: Any) -> TestResponse:
    return client.get(f"{CLIENT_BASE}/app/{client_app_id}/location", **kwargs)


def test_the_location_points_back_at_the_host_the_request_reached(
    client: FlaskClient, admin_session: AdminSession
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    body = assert_json(_location(client, app.client_app_id,
                                 base_url="http://auth.internal:8080"), 200)

    assert body == {
        "deployment_model": "GLOBAL",
        "location": body["location"],
        "hostname": "http://auth.internal:8080",
        "ws_hostname": "ws://auth.internal:8080",
    }
    assert isinstance(body["location"], str) and body["location"]


def test_a_configured_public_url_wins_over_the_request(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    configured = make_app(database_url, tmp_path / "configured",
                          PUBLIC_URL="https://auth.example.test")
    realm = client_app_on(configured, providers=())

    body = assert_json(_location(realm.client, realm.client_app_id,
                                 base_url="http://10.0.0.7:5000", headers=FORWARDED), 200)

    assert body["hostname"] == "https://auth.example.test"
    assert body["ws_hostname"] == "wss://auth.example.test"


def test_forwarded_headers_are_ignored_when_no_proxy_is_trusted(
    client: FlaskClient, admin_session: AdminSession
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    body = assert_json(_location(client, app.client_app_id, headers=FORWARDED), 200)

    assert body["hostname"] == "http://localhost"


def test_forwarded_headers_of_one_trusted_proxy_are_honoured(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    behind_proxy = make_app(database_url, tmp_path / "configured", TRUSTED_PROXY_HOPS=1)
    realm = client_app_on(behind_proxy, providers=())

    body = assert_json(_location(realm.client, realm.client_app_id, headers=FORWARDED), 200)

    assert body["hostname"] == "https://auth.example.org"
    assert body["ws_hostname"] == "wss://auth.example.org"


def test_a_trusted_proxys_path_prefix_is_part_of_the_hostname(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    # realm-web appends "/api/client/v2.0/..." to hostname: a proxy serving us under
    # /realm must get its prefix back, or every later request misses the server.
    behind_proxy = make_app(database_url, tmp_path / "configured", TRUSTED_PROXY_HOPS=1)
    realm = client_app_on(behind_proxy, providers=())

    body = assert_json(_location(realm.client, realm.client_app_id,
                                 headers={**FORWARDED, "X-Forwarded-Prefix": "/realm"}), 200)

    assert body["hostname"] == "https://auth.example.org/realm"


@pytest.mark.parametrize("client_app_id", ["nosuchapp-abcde", "x%00y", "%E2%98%83", "a" * 200])
def test_an_unknown_client_app_id_is_app_not_found(
    client: FlaskClient, client_app_id: str
) -> None:
    response = _location(client, client_app_id)

    assert_error(response, 404, "AppNotFound")
