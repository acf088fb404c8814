"""Optional key expiry (issue 14, part 4; our extension field `expires_at`).

A key of either kind may be created with an expiry in Unix seconds; without one it never
expires, as before. An expired key is refused as a disabled one is (401 AuthError
"unauthorized"), and the sessions it opened are refused from then on. Listings show the
expiry; a key without one shows none (the original's shape).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import clock
from tests.support.app import InProcessAdmin as AdminSession
from tests.support.client_actions import ClientApp, Tokens, clock_moved
from tests.support.wire import assert_error, assert_json

HOUR = 3600
YEAR_9999_END = 253402300799


@pytest.fixture
def realm(client: FlaskClient, admin_session: AdminSession) -> ClientApp:
    return ClientApp.create(client, admin_session)


def _create_server_key(realm: ClientApp, body: dict[str, Any]) -> Any:
    return realm.admin.post(f"{realm.admin_path}/api_keys", json=body)


def _refresh(realm: ClientApp, tokens: Tokens) -> Tokens:
    refreshed = assert_json(realm.post("/auth/session", tokens.refresh_token), 201)
    return Tokens(refreshed["access_token"], tokens.refresh_token, tokens.user_id,
                  tokens.device_id)


def _expires_and_is_refused_after(realm: ClientApp, key: str, expires_at: int) -> None:
    session = realm.login_with_key(key)
    with clock_moved(timedelta(seconds=expires_at - clock.timestamp() - 2)):
        session = _refresh(realm, session)  # fresh: not expired itself afterwards
        realm.login_with_key(key)
    with clock_moved(timedelta(seconds=expires_at - clock.timestamp())):
        assert_error(realm.login("api-key", {"key": key}), 401, "AuthError",
                     says="unauthorized")
        assert_error(realm.post("/auth/session", session.refresh_token), 401,
                     "InvalidSession", says="expired")
        assert_error(realm.profile(session), 401, "InvalidSession")


def test_a_server_key_with_an_expiry_shows_it_and_is_refused_once_it_comes(
    realm: ClientApp,
) -> None:
    expires_at = clock.timestamp() + HOUR

    created = assert_json(_create_server_key(realm, {"name": "temp",
                                                     "expires_at": expires_at}), 201)

    assert created["expires_at"] == expires_at
    path = f"{realm.admin_path}/api_keys"
    assert assert_json(realm.admin.get(path), 200)[0]["expires_at"] == expires_at
    assert assert_json(realm.admin.get(f"{path}/{created['_id']}"), 200)["expires_at"] \
        == expires_at
    _expires_and_is_refused_after(realm, created["key"], expires_at)


def test_a_user_key_with_an_expiry_shows_it_and_is_refused_once_it_comes(
    realm: ClientApp,
) -> None:
    owner = realm.register_and_login("ada@example.com")
    expires_at = clock.timestamp() + HOUR

    response = realm.post("/auth/api_keys", owner.refresh_token,
                          json={"name": "temp", "expires_at": expires_at})

    created = assert_json(response, 201)
    assert created["expires_at"] == expires_at
    listed = assert_json(realm.get("/auth/api_keys", owner.refresh_token), 200)
    assert listed[0]["expires_at"] == expires_at
    _expires_and_is_refused_after(realm, created["key"], expires_at)


def test_without_an_expiry_a_key_never_expires_and_shows_none(realm: ClientApp) -> None:
    for body in ({"name": "forever"}, {"name": "also-forever", "expires_at": None}):
        created = assert_json(_create_server_key(realm, body), 201)
        assert "expires_at" not in created
        with clock_moved(timedelta(days=20 * 365)):
            realm.login_with_key(created["key"])
    listed = assert_json(realm.admin.get(f"{realm.admin_path}/api_keys"), 200)
    # No expires_at; last_used (issue 15) is there, as both logged in.
    assert all(set(key) == {"_id", "name", "disabled", "last_used"} for key in listed)


@pytest.mark.parametrize("expires_at", [
    "past", "now", YEAR_9999_END + 1, "2030-01-01T00:00:00Z", 1.5e9, True, [1],
])
def test_an_expiry_not_in_the_future_or_not_unix_seconds_is_a_400(
    realm: ClientApp, expires_at: Any
) -> None:
    now = clock.timestamp()
    value = {"past": now - 1, "now": now}.get(expires_at, expires_at) \
        if isinstance(expires_at, str) else expires_at
    owner = realm.register_and_login("ada@example.com")

    assert_error(_create_server_key(realm, {"name": "k", "expires_at": value}), 400,
                 "InvalidParameter", says="expires_at")
    assert_error(realm.post("/auth/api_keys", owner.refresh_token,
                            json={"name": "k", "expires_at": value}), 400,
                 "InvalidParameter", says="expires_at")
    assert assert_json(realm.admin.get(f"{realm.admin_path}/api_keys"), 200) == []


def test_rolling_keeps_the_expiry(realm: ClientApp) -> None:
    expires_at = clock.timestamp() + HOUR
    created = assert_json(_create_server_key(realm, {"name": "temp",
                                                     "expires_at": expires_at}), 201)

    rolled = assert_json(realm.admin.post(
        f"{realm.admin_path}/api_keys/{created['_id']}/roll",
        json={"grace_period_seconds": 2 * HOUR}), 200)

    assert rolled["expires_at"] == expires_at
    with clock_moved(timedelta(seconds=HOUR)):  # the grace runs on; the key has expired
        assert_error(realm.login("api-key", {"key": created["key"]}), 401, "AuthError")
        assert_error(realm.login("api-key", {"key": rolled["key"]}), 401, "AuthError")
