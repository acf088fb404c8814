"""No response of either API may be kept by a cache: `Cache-Control: no-store` on all.

Logins, refreshes and key creations carry secrets that must exist in one response only;
the rest (key lists, profiles, a location made for one Host) must not be served again to
someone else either. Errors too: a 401 replayed from a cache would log a client out.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.app import InProcessAdmin
from tests.support.client_actions import PASSWORD, ClientApp
from tests.support.http import ADMIN_BASE, CLIENT_BASE, bearer

Call = Callable[[ClientApp], TestResponse]


def _refresh(realm: ClientApp) -> TestResponse:
    tokens = realm.login_anonymously()
    return realm.client.post(f"{CLIENT_BASE}/auth/session", headers=bearer(tokens.refresh_token))


def _user_key(realm: ClientApp) -> TestResponse:
    return realm.create_user_key(realm.login_with_password("ann@example.com"), "laptop")


CALLS: dict[str, tuple[Call, int]] = {
    "an api-key login": (lambda r: r.login("api-key", {"key": r.create_server_key()["key"]}),
                         200),
    "an email/password login": (lambda r: r.login(
        "local-userpass", {"username": "ann@example.com", "password": PASSWORD}), 200),
    "a client session refresh": (_refresh, 201),
    "a user key's creation": (_user_key, 201),
    "the location": (lambda r: r.client.get(r.app_url("/location")), 200),
    "an admin login": (lambda r: r.client.post(
        f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
        json={"username": r.admin.public_key, "apiKey": r.admin.private_key}), 200),
    "an admin session refresh": (lambda r: r.admin.post(
        "/auth/session", token=r.admin.refresh_token), 201),
    "a server key's creation": (lambda r: r.admin.create_server_key(r.app_id, "service"), 201),
    "the admin's user list": (lambda r: r.admin.get(f"{r.admin_path}/users"), 200),
    "a refused login": (lambda r: r.login("api-key", {"key": "nope"}), 401),
    "an unknown route": (lambda r: r.client.get(f"{CLIENT_BASE}/nowhere"), 404),
    "a deletion without a body": (lambda r: r.admin.put(
        f"{r.admin_path}/auth_providers/{r.admin.provider(r.app_id, 'anon-user')['_id']}"
        "/disable"), 204),
}


@pytest.mark.parametrize("call", CALLS)
def test_every_api_response_is_marked_no_store(client: FlaskClient,
                                               admin_session: InProcessAdmin, call: str) -> None:
    realm = ClientApp.create(client, admin_session)
    realm.register("ann@example.com")
    send, status = CALLS[call]

    response = send(realm)

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_pages_and_files_outside_the_apis_keep_their_own_caching(client: FlaskClient) -> None:
    with client.get("/docs/assets/swagger-ui.css") as asset:
        assert asset.status_code == 200
        assert asset.headers.get("Cache-Control") != "no-store"
    assert "Pragma" not in client.get("/healthz/live").headers
