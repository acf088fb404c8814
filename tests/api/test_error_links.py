"""Every error names its request (contract §0): `link` to the app's log entry when the
request concerned an app, a server-wide link otherwise, and the correlation id in the
X-Appservices-Request-Id header. realm-dotnet's and realm-dart's tests check that an error's
link contains `logs?co_id=`; realm-core reads the header."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock
from tests.support.app import InProcessAdmin
from tests.support.client_actions import ClientApp
from tests.support.http import ADMIN_BASE, CLIENT_BASE
from tests.support.wire import CORRELATION_HEADER, assert_error, assert_link

ANY_ID = "0123456789abcdef01234567"


def _group_id(admin: InProcessAdmin) -> str:
    return admin.apps_path.split("/")[2]


def assert_app_link(response: TestResponse, admin: InProcessAdmin, app_id: str) -> None:
    match = assert_link(response)
    assert (match["group_id"], match["app_id"]) == (_group_id(admin), app_id), match[0]
    assert match["base"] == "http://localhost", match[0]


def assert_server_link(response: TestResponse) -> None:
    match = assert_link(response)
    assert match["app_id"] is None, match[0]
    assert match[0] == f"http://localhost/console/logs?co_id={match['co_id']}"


# --- the correlation id ----------------------------------------------------------------------


def test_every_response_carries_its_own_correlation_id(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    ids = [client.get("/healthz/live").headers[CORRELATION_HEADER],
           admin_session.get(admin_session.apps_path).headers[CORRELATION_HEADER],
           client.get("/console/sign-in").headers[CORRELATION_HEADER]]

    assert all(re.fullmatch(r"[0-9a-f]{24}", value) for value in ids), ids
    assert len(set(ids)) == 3


def test_an_unexpected_failure_is_logged_with_its_correlation_id(
    client: FlaskClient, admin_session: InProcessAdmin, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr("app.domain.apps.list_apps", broken)
    with caplog.at_level(logging.ERROR, logger="app.http.errors"):
        response = admin_session.get(admin_session.apps_path)

    assert_error(response, 500, "InternalServerError")
    co_id = response.headers[CORRELATION_HEADER]
    assert [record.getMessage() for record in caplog.records] == [
        f"unhandled error co_id={co_id}"]


# --- Admin API -----------------------------------------------------------------------------


def test_an_admin_api_error_about_an_app_links_to_that_apps_log(
    client: FlaskClient, admin_session: InProcessAdmin, enabled_app: dict[str, Any],
    subtests: pytest.Subtests,
) -> None:
    app_path = admin_session.app_path(enabled_app["_id"])
    for name, response, status, code in [
        ("missing key", admin_session.get(f"{app_path}/api_keys/{ANY_ID}"), 404,
         "APIKeyNotFound"),
        ("invalid name", admin_session.create_server_key(enabled_app["_id"], "two words"),
         400, "InvalidParameter"),
        ("wrong type", admin_session.post(f"{app_path}/api_keys", json={"name": 5}),
         400, "InvalidParameter"),
        ("no such route", admin_session.get(f"{app_path}/nothing-here"), 404, "NotFound"),
        ("wrong method", admin_session.patch(f"{app_path}/api_keys", json={}), 405,
         "MethodNotAllowed"),
        ("no token", client.get(ADMIN_BASE + app_path), 401, "InvalidSession"),
    ]:
        with subtests.test(name):
            assert_error(response, status, code)
            assert_app_link(response, admin_session, enabled_app["_id"])


def test_an_admin_api_error_about_no_app_links_to_the_server(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for name, response, status, code in [
        ("no token", client.get(ADMIN_BASE + admin_session.apps_path), 401, "InvalidSession"),
        ("bad login", client.post(f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
                                  json={"username": "x", "apiKey": "y"}), 401, "AuthError"),
        ("no such route", client.get(f"{ADMIN_BASE}/nowhere"), 404, "NotFound"),
        ("not an id", admin_session.get(f"{admin_session.apps_path}/not-an-id"), 404,
         "AppNotFound"),
    ]:
        with subtests.test(name):
            assert_error(response, status, code)
            assert_server_link(response)


def test_a_body_too_large_is_linked_too(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        ADMIN_BASE + admin_session.app_path(enabled_app["_id"]) + "/api_keys",
        data=b"{" + b" " * limit + b"}",
        headers={"Authorization": f"Bearer {admin_session.access_token}",
                 "Content-Type": "application/json"})

    assert_error(response, 413, "InvalidParameter")
    assert_app_link(response, admin_session, enabled_app["_id"])


# --- Client API ----------------------------------------------------------------------------


def test_a_client_api_error_under_the_app_path_links_to_that_apps_log(
    realm: ClientApp, subtests: pytest.Subtests
) -> None:
    for name, response, status, code in [
        ("unknown key", realm.login("api-key", {"key": "ask_" + "x" * 49}), 401, "AuthError"),
        ("wrong password", realm.login("local-userpass", {"username": "a@example.com",
                                                          "password": "nope"}),
         401, "InvalidPassword"),
        ("missing field", realm.login("local-userpass", {"username": "a@example.com"}), 400,
         "MissingParameter"),
        ("no such route", realm.client.get(realm.app_url("/nowhere")), 404, "NotFound"),
    ]:
        with subtests.test(name):
            assert_error(response, status, code)
            assert_app_link(response, realm.admin, realm.app_id)


def test_an_unknown_client_app_id_links_to_the_server(client: FlaskClient) -> None:
    response = client.post(f"{CLIENT_BASE}/app/nosuchapp-abcde/auth/providers/anon-user/login",
                           json={})

    assert_error(response, 404, "AppNotFound")
    assert_server_link(response)


def test_a_token_authenticated_client_error_links_to_the_sessions_app(
    realm: ClientApp, subtests: pytest.Subtests
) -> None:
    tokens = realm.register_and_login("ada@example.com")
    with subtests.test("refused by the view"):
        response = realm.get(f"/auth/api_keys/{ANY_ID}", tokens.refresh_token)
        assert_error(response, 404, "APIKeyNotFound")
        assert_app_link(response, realm.admin, realm.app_id)
    with subtests.test("the wrong kind of token"):
        response = realm.get("/auth/api_keys", tokens.access_token)
        assert_error(response, 401, "InvalidSession")
        assert_app_link(response, realm.admin, realm.app_id)
    with subtests.test("an expired access token"):
        clock.advance(timedelta(minutes=31))
        response = realm.profile(tokens)
        assert_error(response, 401, "InvalidSession", says="access token expired")
        assert_app_link(response, realm.admin, realm.app_id)


def test_a_token_this_server_did_not_sign_links_to_the_server(realm: ClientApp) -> None:
    response = realm.get("/auth/profile", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")

    assert_error(response, 401, "InvalidSession")
    assert_server_link(response)


def test_too_many_failed_logins_are_linked_too(
    app: Flask, realm: ClientApp
) -> None:
    limit = app.config["THROTTLE_FAILURES_PER_ADDRESS"]
    responses = [realm.login("api-key", {"key": "ask_" + "x" * 49}) for _ in range(limit + 1)]

    assert_error(responses[-1], 429, "TooManyRequests")
    assert_app_link(responses[-1], realm.admin, realm.app_id)


# --- the link's base URL -------------------------------------------------------------------


def test_a_host_nobody_vouched_for_is_never_put_in_a_link(
    realm: ClientApp
) -> None:
    response = realm.client.post(realm.app_url("/auth/providers/api-key/login"),
                                 json={"key": "nope"}, headers={"Host": "evil.example"})

    assert_error(response, 401, "AuthError")
    match = assert_link(response)
    assert match["base"] == "", match[0]  # relative: the client's own server
    assert "evil" not in response.get_json()["link"]


def test_public_url_is_the_base_of_every_link(
    app: Flask, realm: ClientApp
) -> None:
    app.config["PUBLIC_URL"] = "https://auth.example.com/prefix"
    response = realm.client.post(realm.app_url("/auth/providers/api-key/login"),
                                 json={"key": "nope"}, headers={"Host": "evil.example"})

    assert_error(response, 401, "AuthError")
    assert assert_link(response)["base"] == "https://auth.example.com/prefix"
