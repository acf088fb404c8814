"""Per-app refresh token lifetime (`security/refresh_token_expiration`), a user's devices
and the Admin API's own login providers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.config import MAX_REFRESH_SECONDS
from tests.support.app import InProcessAdmin
from tests.support.client_actions import PASSWORD, ClientApp, clock_moved
from tests.support.wire import assert_error, assert_json, assert_no_content

DAY = 24 * 3600
DEVICE = {"platform": "android", "platformVersion": "14", "sdkVersion": "12.0.0",
          "appId": "com.example.notes", "appVersion": "1.2"}


def _expiration(realm: ClientApp) -> str:
    return f"{realm.admin_path}/security/refresh_token_expiration"


def _refresh(realm: ClientApp, refresh_token: str) -> Any:
    return realm.post("/auth/session", refresh_token)


def test_an_app_that_sets_nothing_has_the_servers_default(realm: ClientApp) -> None:
    body = assert_json(realm.admin.get(_expiration(realm)), 200)

    assert body == {"expiration_time_seconds": 60 * DAY}


def test_new_sessions_get_the_apps_lifetime(realm: ClientApp) -> None:
    assert_no_content(realm.admin.put(_expiration(realm),
                                      json={"expiration_time_seconds": 3600}))
    assert realm.admin.get(_expiration(realm)).json == {"expiration_time_seconds": 3600}
    key = realm.create_server_key()

    tokens = realm.login_with_key(key["key"])

    # A margin either side: the real clock goes on between the login and the refresh.
    with clock_moved(timedelta(seconds=3540)):
        assert _refresh(realm, tokens.refresh_token).status_code == 201
    with clock_moved(timedelta(seconds=3601)):
        assert_error(_refresh(realm, tokens.refresh_token), 401, "InvalidSession",
                     says="expired")


def test_sessions_opened_before_keep_their_expiry(realm: ClientApp) -> None:
    key = realm.create_server_key()
    before = realm.login_with_key(key["key"])

    assert_no_content(realm.admin.put(_expiration(realm),
                                      json={"expiration_time_seconds": 1800}))

    with clock_moved(timedelta(days=59)):
        assert _refresh(realm, before.refresh_token).status_code == 201


def test_anonymous_sessions_never_expire_whatever_the_app_says(realm: ClientApp) -> None:
    assert_no_content(realm.admin.put(_expiration(realm),
                                      json={"expiration_time_seconds": 1800}))
    anonymous = realm.login_anonymously()

    with clock_moved(timedelta(days=3650)):
        # the access token is long expired; the refresh token is not
        assert _refresh(realm, anonymous.refresh_token).status_code == 201


def test_another_apps_lifetime_is_its_own(realm: ClientApp, client: FlaskClient,
                                          admin_session: InProcessAdmin) -> None:
    other = ClientApp.create(client, admin_session, name="otherapp")
    assert_no_content(realm.admin.put(_expiration(realm),
                                      json={"expiration_time_seconds": 1800}))

    assert other.admin.get(_expiration(other)).json == {"expiration_time_seconds": 60 * DAY}


@pytest.mark.parametrize("value", [1799, MAX_REFRESH_SECONDS + 1, 3600.5, "3600", True, None,
                                   -1])
def test_a_lifetime_out_of_bounds_or_not_a_number_is_refused(realm: ClientApp,
                                                             value: object) -> None:
    response = realm.admin.put(_expiration(realm), json={"expiration_time_seconds": value})

    assert_error(response, 400, "InvalidParameter")
    assert realm.admin.get(_expiration(realm)).json == {"expiration_time_seconds": 60 * DAY}


@pytest.mark.parametrize("value", [1800, MAX_REFRESH_SECONDS, 7200.0])
def test_the_bounds_and_whole_floats_are_accepted(realm: ClientApp, value: float) -> None:
    assert_no_content(realm.admin.put(_expiration(realm),
                                      json={"expiration_time_seconds": value}))

    assert realm.admin.get(_expiration(realm)).json == {"expiration_time_seconds": int(value)}


def test_another_groups_app_is_not_found(realm: ClientApp) -> None:
    path = f"/groups/{'0' * 24}/apps/{realm.app_id}/security/refresh_token_expiration"

    assert realm.admin.get(path).status_code == 404


# --- devices ------------------------------------------------------------------------------


def test_a_users_devices_are_those_of_its_sessions(realm: ClientApp) -> None:
    realm.register("ada@example.com")
    phone = realm.login("local-userpass", {"username": "ada@example.com",
                                           "password": PASSWORD}, device=DEVICE)
    user_id = phone.json["user_id"]
    realm.login("local-userpass", {"username": "ada@example.com",
                                   "password": PASSWORD})  # no device
    devices_path = f"{realm.admin_path}/users/{user_id}/devices"

    devices = assert_json(realm.admin.get(devices_path), 200)

    assert devices == [{
        "_id": phone.json["device_id"], "platform": "android", "platform_version": "14",
        "sdk_version": "12.0.0", "app_id": "com.example.notes", "app_version": "1.2",
        "created_at": devices[0]["created_at"], "last_seen": devices[0]["last_seen"],
    }]
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/logout"))
    assert realm.admin.get(devices_path).json == []


def test_devices_of_an_unknown_user_are_not_found(realm: ClientApp) -> None:
    response = realm.admin.get(f"{realm.admin_path}/users/{'0' * 24}/devices")

    assert_error(response, 404, "UserNotFound")


# --- the Admin API's own providers -------------------------------------------------------


def test_the_admin_api_lists_its_login_provider_to_anyone(client: FlaskClient) -> None:
    body = assert_json(client.get("/api/admin/v3.0/auth/providers"), 200)

    assert body == [{"name": "mongodb-cloud", "type": "mongodb-cloud", "disabled": False}]
