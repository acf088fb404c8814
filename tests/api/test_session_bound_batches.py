"""A large session bound is kept in batches: a user who reaches MAX_SESSIONS_PER_USER
(100 or more) has its oldest sessions ended down to nine tenths of it, so that its next
logins open sessions without counting or deleting any. The bound itself is never passed,
and sessions ended in other ways (an admin's logout) are not counted against the user.
Small bounds end exactly the oldest session (tests/api/test_session_bound.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app import clock
from app.models import Session
from tests.support.client_actions import ClientApp, Tokens
from tests.support.store import in_database
from tests.support.wire import assert_error, assert_no_content

BOUND = 100
KEPT_AFTER_A_TRIM = 90  # nine tenths of the bound


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"MAX_SESSIONS_PER_USER": BOUND}


def _sessions_of(app: Flask, user_id: str) -> int:
    with in_database(app):
        return int(Session.select().where(Session.user == user_id).count())


def _logins(realm: ClientApp, key: str, count: int) -> list[Tokens]:
    made = []
    for _ in range(count):
        made.append(realm.login_with_key(key))
        clock.advance(timedelta(seconds=1))  # sessions end oldest first
    return made


def _refreshes(realm: ClientApp, tokens: Tokens) -> bool:
    return realm.post("/auth/session", tokens.refresh_token).status_code == 201


def test_a_user_over_a_large_bound_keeps_nine_tenths_of_it(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    logins = _logins(realm, key, BOUND)
    user_id = logins[0].user_id
    assert _sessions_of(app, user_id) == BOUND  # up to the bound, nothing ends

    logins += _logins(realm, key, 1)  # over it: the oldest end, down to 90
    assert _sessions_of(app, user_id) == KEPT_AFTER_A_TRIM
    ended = BOUND + 1 - KEPT_AFTER_A_TRIM
    for tokens in (logins[0], logins[ended - 1]):
        assert_error(realm.post("/auth/session", tokens.refresh_token), 401, "InvalidSession")
    assert _refreshes(realm, logins[ended])  # the oldest one kept
    assert _refreshes(realm, logins[-1])

    logins += _logins(realm, key, BOUND - KEPT_AFTER_A_TRIM)  # back up to the bound
    assert _sessions_of(app, user_id) == BOUND
    assert _refreshes(realm, logins[ended])  # nothing more ended meanwhile
    _logins(realm, key, 1)
    assert _sessions_of(app, user_id) == KEPT_AFTER_A_TRIM


def test_the_bound_is_never_passed_login_after_login(app: Flask, realm: ClientApp) -> None:
    key = realm.create_server_key()["key"]
    user_id = realm.login_with_key(key).user_id
    held = []
    for _ in range(2 * BOUND + 30):
        realm.login_with_key(key)
        held.append(_sessions_of(app, user_id))
    assert max(held) == BOUND
    assert min(held[BOUND:]) == KEPT_AFTER_A_TRIM


def test_sessions_ended_by_an_admin_do_not_count_against_the_user(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    before = _logins(realm, key, BOUND - 1)
    user_id = before[0].user_id
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/logout"))
    after = _logins(realm, key, BOUND)  # the user holds none, then a full bound's worth
    assert _sessions_of(app, user_id) == BOUND
    assert all(_refreshes(realm, tokens) for tokens in (after[0], after[-1]))
