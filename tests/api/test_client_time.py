"""Time: keys never expire; access tokens last 30 minutes, refresh tokens 60 days (or
as configured), anonymous refresh tokens effectively forever (contract §4).

The service's clock is moved, never waited for.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from flask import Flask

from app import clock
from app.domain import settings
from tests.support.app import make_app
from tests.support.client_actions import ClientApp, Tokens, client_app_on, clock_moved
from tests.support.wire import assert_error, assert_json

TEN_YEARS = timedelta(days=3650)
SESSION = "/auth/session"


def _refreshes(realm: ClientApp, tokens: Tokens) -> bool:
    """Tell whether the refresh token still gets an access token that works."""
    response = realm.post(SESSION, tokens.refresh_token)
    if response.status_code != 201:
        return False
    return realm.get("/auth/profile", response.get_json()["access_token"]).status_code == 200


# --- keys never expire ---------------------------------------------------------------


def test_a_server_key_created_today_still_logs_in_ten_years_later(realm: ClientApp) -> None:
    key = realm.create_server_key()

    with clock_moved(TEN_YEARS):
        tokens = realm.login_with_key(key["key"])
        assert assert_json(realm.profile(tokens), 200)["type"] == "server"


def test_a_user_key_created_today_still_logs_in_as_its_owner_ten_years_later(
    realm: ClientApp,
) -> None:
    owner = realm.register_and_login("ann@example.com")
    key = realm.new_user_key(owner)

    with clock_moved(TEN_YEARS):
        assert realm.login_with_key(key["key"]).user_id == owner.user_id


# --- access tokens: 30 minutes -------------------------------------------------------


def test_an_access_token_still_works_after_29_minutes(realm: ClientApp) -> None:
    tokens = realm.login_with_key(realm.create_server_key()["key"])

    with clock_moved(timedelta(minutes=29)):
        assert realm.profile(tokens).status_code == 200


def test_an_access_token_is_refused_after_31_minutes(realm: ClientApp) -> None:
    tokens = realm.login_with_key(realm.create_server_key()["key"])

    with clock_moved(timedelta(minutes=31)):
        response = realm.profile(tokens)

    assert_error(response, 401, "InvalidSession", says="access token expired")


def test_after_the_access_token_expired_the_refresh_token_gets_a_new_one(
    realm: ClientApp,
) -> None:
    tokens = realm.register_and_login("ann@example.com")

    with clock_moved(timedelta(minutes=31)):
        assert _refreshes(realm, tokens)


def test_an_anonymous_users_access_token_expires_like_any_other(realm: ClientApp) -> None:
    tokens = realm.login_anonymously()

    with clock_moved(timedelta(minutes=31)):
        assert_error(realm.profile(tokens), 401, "InvalidSession", says="access token expired")


# --- refresh tokens: 60 days, anonymous ones never -----------------------------------


def test_a_refresh_token_still_works_after_59_days(realm: ClientApp) -> None:
    tokens = realm.register_and_login("ann@example.com")

    with clock_moved(timedelta(days=59)):
        assert _refreshes(realm, tokens)


def test_a_refresh_token_is_refused_after_60_days(realm: ClientApp) -> None:
    tokens = realm.register_and_login("ann@example.com")

    with clock_moved(timedelta(days=60, minutes=1)):
        response = realm.post(SESSION, tokens.refresh_token)
        keys = realm.get("/auth/api_keys", tokens.refresh_token)

    assert_error(response, 401, "InvalidSession", says="refresh token expired")
    assert_error(keys, 401, "InvalidSession", says="refresh token expired")


def test_a_key_sessions_refresh_token_expires_too_though_the_key_does_not(
    realm: ClientApp,
) -> None:
    key = realm.create_server_key()
    tokens = realm.login_with_key(key["key"])

    with clock_moved(timedelta(days=60, minutes=1)):
        assert_error(realm.post(SESSION, tokens.refresh_token), 401, "InvalidSession")
        assert _refreshes(realm, realm.login_with_key(key["key"]))


def test_an_anonymous_refresh_token_still_works_ten_years_later(realm: ClientApp) -> None:
    tokens = realm.login_anonymously()

    with clock_moved(TEN_YEARS):
        assert _refreshes(realm, tokens)


def test_a_configured_refresh_token_lifetime_is_honoured(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    one_hour = make_app(database_url, tmp_path / "configured", REFRESH_TOKEN_SECONDS=3600)
    realm = client_app_on(one_hour)
    tokens = realm.register_and_login("ann@example.com")

    claims = jwt.decode(tokens.refresh_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    with clock_moved(timedelta(minutes=59)):
        assert _refreshes(realm, tokens)
    with clock_moved(timedelta(minutes=61)):
        assert_error(realm.post(SESSION, tokens.refresh_token), 401, "InvalidSession",
                     says="refresh token expired")


def test_a_refresh_token_lasts_its_whole_lifetime_even_when_a_second_passes_mid_login(
    realm: ClientApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = realm.create_server_key()
    real_timestamp = clock.timestamp
    ticks = itertools.count()
    # Every read of the clock is a second later than the one before: a slow login.
    monkeypatch.setattr(clock, "timestamp", lambda: real_timestamp() + next(ticks))

    tokens = realm.login_with_key(key["key"])

    claims = jwt.decode(tokens.refresh_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.current().refresh_token_seconds
