"""Rolling a server key (issue 14, part 3; our extension of the Admin API).

`POST .../api_keys/{apiKeyId}/roll` gives the key a new value, shown once; the key id and
its server user (id, identities, custom data) stay. The old value logs in for the grace
period the admin chose (0 to 7 days, default 0), then never again, and the sessions it
opened end with it. A roll is not a new key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.domain import api_keys
from app.models import ApiKey, App, Identity, Session, User
from tests.support.app import InProcessAdmin as AdminSession
from tests.support.client_actions import ClientApp, Tokens, clock_moved
from tests.support.store import in_database
from tests.support.wire import assert_error, assert_json

HOUR = 3600
WEEK = 7 * 24 * HOUR


@pytest.fixture
def realm(client: FlaskClient, admin_session: AdminSession) -> ClientApp:
    return ClientApp.create(client, admin_session)


def _roll_response(realm: ClientApp, key_id: str, body: Any = None) -> Any:
    return realm.admin.post(f"{realm.admin_path}/api_keys/{key_id}/roll", json=body)


def _roll(realm: ClientApp, key_id: str, grace: int | None = None) -> dict[str, Any]:
    body = None if grace is None else {"grace_period_seconds": grace}
    rolled: dict[str, Any] = assert_json(_roll_response(realm, key_id, body), 200)
    return rolled


def _refused(realm: ClientApp, key: str) -> None:
    assert_error(realm.login("api-key", {"key": key}), 401, "AuthError", says="unauthorized")


def _session_ended(realm: ClientApp, tokens: Tokens) -> None:
    assert_error(realm.post("/auth/session", tokens.refresh_token), 401, "InvalidSession")
    assert_error(realm.profile(tokens), 401, "InvalidSession")


def _session_holds(realm: ClientApp, tokens: Tokens) -> Tokens:
    """Check the session refreshes and serves; return it with its new access token."""
    refreshed = assert_json(realm.post("/auth/session", tokens.refresh_token), 201)
    tokens = Tokens(refreshed["access_token"], tokens.refresh_token, tokens.user_id,
                    tokens.device_id)
    assert_json(realm.profile(tokens), 200)
    return tokens


def test_a_roll_answers_the_creation_shape_with_a_new_value_for_the_same_key(
    realm: ClientApp,
) -> None:
    created = realm.create_server_key("reporting")

    rolled = _roll(realm, created["_id"])

    assert set(rolled) == {"_id", "key", "name", "disabled", "previous_key_valid_until"}
    assert rolled["_id"] == created["_id"] and rolled["name"] == "reporting"
    assert rolled["disabled"] is False and rolled["previous_key_valid_until"] is None
    assert rolled["key"] != created["key"] and rolled["key"].startswith("ask_")
    listed = assert_json(realm.admin.get(f"{realm.admin_path}/api_keys"), 200)
    assert listed == [{"_id": created["_id"], "name": "reporting", "disabled": False}]


def test_the_new_value_logs_in_at_once_as_the_same_server_user(
    app: Flask, realm: ClientApp
) -> None:
    created = realm.create_server_key()
    before = realm.login_with_key(created["key"])
    with in_database(app):  # no API writes a user's custom data: arranged here
        User.update(custom_data={"team": "ops"}).where(User.id == before.user_id).execute()
    user_before = assert_json(realm.admin_user(before.user_id), 200)

    rolled = _roll(realm, created["_id"])
    after = realm.login_with_key(rolled["key"])

    assert after.user_id == before.user_id
    assert assert_json(realm.admin_user(after.user_id), 200) == user_before
    profile = assert_json(realm.profile(after), 200)
    assert [identity["id"] for identity in profile["identities"]] == [created["_id"]]
    assert profile["custom_data"] == {"team": "ops"}


def test_without_grace_the_old_value_and_its_sessions_stop_at_once(realm: ClientApp) -> None:
    created = realm.create_server_key()
    old_session = realm.login_with_key(created["key"])

    rolled = _roll(realm, created["_id"], grace=0)

    _refused(realm, created["key"])
    _session_ended(realm, old_session)
    _session_holds(realm, realm.login_with_key(rolled["key"]))


def test_the_old_value_works_during_the_grace_period_and_never_after(
    realm: ClientApp,
) -> None:
    created = realm.create_server_key()
    old_session = realm.login_with_key(created["key"])

    rolled = _roll(realm, created["_id"], grace=HOUR)

    assert rolled["previous_key_valid_until"] == pytest.approx(clock.timestamp() + HOUR, abs=2)
    during = realm.login_with_key(created["key"])  # still logs in, as the same user
    assert during.user_id == old_session.user_id
    new_session = realm.login_with_key(rolled["key"])
    with clock_moved(timedelta(seconds=HOUR - 5)):
        # Fresh access tokens: after the grace they are not expired, only refused.
        old_session = _session_holds(realm, old_session)
        during = _session_holds(realm, during)
        new_session = _session_holds(realm, new_session)
        realm.login_with_key(created["key"])
    with clock_moved(timedelta(seconds=HOUR + 1)):
        _refused(realm, created["key"])
        _session_ended(realm, old_session)
        _session_ended(realm, during)
        _session_holds(realm, new_session)
        _session_holds(realm, realm.login_with_key(rolled["key"]))


def test_a_second_roll_during_a_grace_period_keeps_only_the_newest_previous_value(
    realm: ClientApp,
) -> None:
    created = realm.create_server_key()
    first_session = realm.login_with_key(created["key"])
    second = _roll(realm, created["_id"], grace=HOUR)
    second_session = realm.login_with_key(second["key"])

    third = _roll(realm, created["_id"], grace=HOUR)

    _refused(realm, created["key"])  # the value retired before stopped at once...
    _session_ended(realm, first_session)  # ...with its sessions
    _session_holds(realm, second_session)  # the value this roll retired has its grace
    realm.login_with_key(second["key"])
    realm.login_with_key(third["key"])
    with clock_moved(timedelta(seconds=HOUR - 5)):
        second_session = _session_holds(realm, second_session)
    with clock_moved(timedelta(seconds=HOUR + 1)):
        _refused(realm, second["key"])
        _session_ended(realm, second_session)
        realm.login_with_key(third["key"])


def test_a_disabled_key_can_be_rolled_and_stays_disabled(realm: ClientApp) -> None:
    created = realm.create_server_key()
    keys_path = f"{realm.admin_path}/api_keys/{created['_id']}"
    assert realm.admin.put(f"{keys_path}/disable").status_code == 204

    rolled = _roll(realm, created["_id"], grace=HOUR)

    assert rolled["disabled"] is True
    _refused(realm, rolled["key"])
    _refused(realm, created["key"])
    assert realm.admin.put(f"{keys_path}/enable").status_code == 204
    realm.login_with_key(rolled["key"])
    realm.login_with_key(created["key"])  # within the grace period it chose


@pytest.mark.parametrize("grace", [-1, WEEK + 1, "1h", 1.5, True, None, [60]])
def test_a_grace_period_outside_0_to_7_days_or_not_whole_seconds_is_a_400(
    realm: ClientApp, grace: Any
) -> None:
    created = realm.create_server_key()

    response = _roll_response(realm, created["_id"], {"grace_period_seconds": grace})

    assert_error(response, 400, "InvalidParameter", says="grace_period_seconds")
    realm.login_with_key(created["key"])  # nothing changed


def test_the_longest_grace_period_is_7_days(realm: ClientApp) -> None:
    created = realm.create_server_key()

    rolled = _roll(realm, created["_id"], grace=WEEK)

    assert rolled["previous_key_valid_until"] == pytest.approx(clock.timestamp() + WEEK, abs=2)
    with clock_moved(timedelta(seconds=WEEK - 5)):
        realm.login_with_key(created["key"])
    with clock_moved(timedelta(seconds=WEEK)):
        _refused(realm, created["key"])


def test_an_empty_body_rolls_without_grace(realm: ClientApp) -> None:
    created = realm.create_server_key()

    bodies: tuple[dict[str, Any] | None, ...] = (None, {})
    for body in bodies:
        rolled = _roll_response(realm, created["_id"], body)
        assert assert_json(rolled, 200)["previous_key_valid_until"] is None


def test_rolling_an_unknown_key_or_a_user_key_is_not_found(realm: ClientApp) -> None:
    owner = realm.register_and_login("ada@example.com")
    user_key = realm.new_user_key(owner)

    assert_error(_roll_response(realm, "0" * 24), 404, "APIKeyNotFound")
    assert_error(_roll_response(realm, "not-an-id"), 404, "APIKeyNotFound")
    assert_error(_roll_response(realm, user_key["_id"]), 404, "APIKeyNotFound")
    realm.login_with_key(user_key["key"])


def test_rolling_needs_an_admin(realm: ClientApp) -> None:
    created = realm.create_server_key()

    response = realm.client.post(f"/api/admin/v3.0{realm.admin_path}/api_keys/"
                                 f"{created['_id']}/roll", json={})

    assert response.status_code == 401
    realm.login_with_key(created["key"])


def test_a_roll_is_not_a_new_key(app: Flask, realm: ClientApp) -> None:
    created = realm.create_server_key()
    realm.login_with_key(created["key"])
    with in_database(app):
        counts = (ApiKey.select().count(), User.select().count(), Identity.select().count())

    for _ in range(3):
        _roll(realm, created["_id"], grace=HOUR)

    with in_database(app):
        assert (ApiKey.select().count(), User.select().count(),
                Identity.select().count()) == counts
        stored = ApiKey.get_by_id(created["_id"])
        assert stored.rolls == 3
        # Only digests are stored, never a value.
        assert created["key"] not in {stored.digest, stored.previous_digest}
        assert Session.select().where(Session.api_key == created["_id"]).count() == 0


def test_the_limit_of_100_server_keys_still_holds_after_rolls(
    app: Flask, realm: ClientApp
) -> None:
    # Arranged in the database: a hundred creations through the API take long.
    with in_database(app):
        app_row = App.get_by_id(realm.app_id)
        first = api_keys.create_server_key(app_row, "key-0")
        for number in range(1, api_keys.SERVER_KEY_LIMIT):
            api_keys.create_server_key(app_row, f"key-{number}")

    _roll(realm, first.api_key.id, grace=HOUR)

    assert_error(realm.admin.create_server_key(realm.app_id, "one-more"), 400,
                 "LimitExceeded")
