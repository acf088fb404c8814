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

from tests.support.app import InProcessAdmin, make_app
from tests.support.client_actions import ClientApp, client_app_on
from tests.support.http import CLIENT_BASE
from tests.support.wire import assert_error, assert_json

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "auth.example.org"}


def _location(client: FlaskClient, client_app_id: str, **kwargs: Any) -> TestResponse:
    return client.get(f"{CLIENT_BASE}/app/{client_app_id}/location", **kwargs)


def test_the_location_points_back_at_the_host_the_request_reached(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    named = make_app(database_url, tmp_path / "named", ALLOWED_HOSTS="auth.internal")
    realm = client_app_on(named, providers=())

    body = assert_json(_location(realm.client, realm.client_app_id,
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
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    body = assert_json(_location(client, app.client_app_id, headers=FORWARDED), 200)

    assert body["hostname"] == "http://localhost"


def test_forwarded_headers_of_one_trusted_proxy_are_honoured(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    behind_proxy = make_app(database_url, tmp_path / "configured", TRUSTED_PROXY_HOPS=1,
                            ALLOWED_HOSTS="auth.example.org")
    realm = client_app_on(behind_proxy, providers=())

    body = assert_json(_location(realm.client, realm.client_app_id, headers=FORWARDED), 200)

    assert body["hostname"] == "https://auth.example.org"
    assert body["ws_hostname"] == "wss://auth.example.org"


def test_a_trusted_proxys_path_prefix_is_part_of_the_hostname(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    # realm-web appends "/api/client/v2.0/..." to hostname: a proxy serving us under
    # /realm must get its prefix back, or every later request misses the server.
    behind_proxy = make_app(database_url, tmp_path / "configured", TRUSTED_PROXY_HOPS=1,
                            ALLOWED_HOSTS="auth.example.org")
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


# --- the Host header is believed only for the names the operator allows ---------------


@pytest.mark.parametrize("base_url", ["http://localhost", "http://localhost:8080",
                                      "http://127.0.0.1:8080", "http://[::1]:8080",
                                      "https://localhost"])
def test_this_machines_own_names_are_allowed_by_default(
    client: FlaskClient, admin_session: InProcessAdmin, base_url: str
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    body = assert_json(_location(client, app.client_app_id, base_url=base_url), 200)

    assert body["hostname"] == base_url


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "localhost.evil.example",
                                  "127.0.0.1.evil.example", "10.0.0.7"])
def test_a_host_nobody_configured_is_refused_and_the_operator_is_told_what_to_set(
    client: FlaskClient, admin_session: InProcessAdmin, host: str
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    response = _location(client, app.client_app_id, headers={"Host": host})

    message = assert_error(response, 400, "InvalidParameter", says="PUBLIC_URL")
    assert "ALLOWED_HOSTS" in message
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("host", ["localhost\r\nX-Injected: 1", "local\nhost", "localhost\x00",
                                  "local host", "localhost:evil", "localhost@evil.example",
                                  "evil.example#localhost", "localhost/evil", "\u202elocalhost",
                                  "localhost\ud800", ""])
def test_a_hostile_host_header_is_refused_in_the_envelope(
    client: FlaskClient, admin_session: InProcessAdmin, host: str
) -> None:
    app = ClientApp.create(client, admin_session, providers=())

    response = _location(client, app.client_app_id,
                         environ_overrides={"HTTP_HOST": host.encode("utf-8", "surrogatepass")
                                            .decode("latin-1")})

    assert_error(response, 400, "InvalidParameter")


def test_a_trusted_proxys_host_is_refused_unless_allowed(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    behind_proxy = make_app(database_url, tmp_path / "configured", TRUSTED_PROXY_HOPS=1)
    realm = client_app_on(behind_proxy, providers=())

    response = _location(realm.client, realm.client_app_id, headers=FORWARDED)

    assert_error(response, 400, "InvalidParameter", says="PUBLIC_URL")


def test_the_allowed_hosts_setting_names_hosts_without_ports(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    named = make_app(database_url, tmp_path / "named",
                     ALLOWED_HOSTS=" auth.example.org , [2001:db8::1] ")
    realm = client_app_on(named, providers=())

    for base_url in ["https://auth.example.org", "http://auth.example.org:8080",
                     "http://[2001:db8::1]:8080"]:
        body = assert_json(_location(realm.client, realm.client_app_id, base_url=base_url), 200)
        assert body["hostname"] == base_url
    assert_error(_location(realm.client, realm.client_app_id, base_url="http://localhost"),
                 400, "InvalidParameter")
