"""Sessions that do not pile up: at most MAX_SESSIONS_PER_USER live sessions per user (a
login over it ends the user's oldest), expired rows pruned, and both visible.

Pruning is driven here one pass at a time (app.domain.pruning) with a moved clock; the
background runner is shown in a live server in tests/reliability/test_session_pruning.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import __version__, clock
from app.domain import pruning, throttle, usage
from app.models import AdminSession as AdminSessionRow
from app.models import LoginFailure, Session
from tests.console.driver import Console
from tests.support.app import InProcessAdmin as AdminSession
from tests.support.client_actions import ClientApp, Tokens
from tests.support.store import in_database
from tests.support.wire import assert_error, assert_json, assert_no_content

BOUND = 3
REFRESH_SECONDS = 60 * 24 * 3600


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """A small bound, so that a test reaches it in a few logins."""
    return {"MAX_SESSIONS_PER_USER": BOUND}


@pytest.fixture(autouse=True)
def _fresh_usage_figures() -> None:
    usage.forget()  # /healthz's figures are kept a few seconds per process


def _refreshes(realm: ClientApp, tokens: Tokens) -> bool:
    return realm.post("/auth/session", tokens.refresh_token).status_code == 201


def _sessions_of(app: Flask, user_id: str) -> int:
    with in_database(app):
        return int(Session.select().where(Session.user == user_id).count())


def test_a_login_over_the_bound_ends_the_users_oldest_session(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    logins = []
    for _ in range(BOUND + 2):  # a script that logs in for every call
        logins.append(realm.login_with_key(key))
        clock.advance(timedelta(seconds=1))  # creation order is by the second, then id
    assert _sessions_of(app, logins[0].user_id) == BOUND
    for ended in logins[:2]:
        assert_error(realm.post("/auth/session", ended.refresh_token), 401, "InvalidSession")
        assert_error(realm.profile(ended), 401, "InvalidSession")
    assert all(_refreshes(realm, live) for live in logins[2:])  # it keeps working


def test_the_newest_session_survives_even_within_one_second(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    logins = [realm.login_with_key(key) for _ in range(2 * BOUND)]  # likely one second
    assert _sessions_of(app, logins[0].user_id) == BOUND
    assert _refreshes(realm, logins[-1])  # a login's own session is never the one trimmed


def test_the_bound_is_per_user(app: Flask, realm: ClientApp) -> None:
    first, second = realm.create_server_key("a")["key"], realm.create_server_key("b")["key"]
    kept = realm.login_with_key(second)
    for _ in range(BOUND + 1):
        realm.login_with_key(first)
    assert _refreshes(realm, kept)


def test_an_admin_logout_still_ends_every_session_of_the_user(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    logins = [realm.login_with_key(key) for _ in range(BOUND + 1)]
    user_id = logins[0].user_id
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/logout"))
    assert _sessions_of(app, user_id) == 0
    assert not any(_refreshes(realm, tokens) for tokens in logins)
    assert _refreshes(realm, realm.login_with_key(key))  # and logging in again works


def test_a_pass_prunes_what_has_expired_and_nothing_else(
    app: Flask, realm: ClientApp, admin_session: AdminSession
) -> None:
    ann = realm.register_and_login("ann@example.com")
    key = realm.create_server_key()["key"]
    by_key = [realm.login_with_key(key) for _ in range(2)]
    anonymous = realm.login_anonymously()  # never expires
    failed = realm.login("local-userpass", {"username": "ann@example.com", "password": "no"})
    assert failed.status_code == 401
    with in_database(app):
        assert LoginFailure.select().count() > 0
        assert pruning.prune(batch_size=1).total == 0  # nothing has expired yet

    clock.advance(timedelta(seconds=REFRESH_SECONDS - 60))
    fresh = realm.login_with_key(key)  # expires well after the others
    clock.advance(timedelta(seconds=120))  # past the first sessions' refresh expiry
    with in_database(app):
        before = Session.select().count()
        pruned = pruning.prune(batch_size=1)  # one row per transaction: many batches
        assert pruned.counts["sessions"] == 3  # ann's and the first two key sessions
        assert pruned.counts["login_failures"] >= 1
        assert pruned.counts["admin_sessions"] >= 1  # the admin's (a day's lifetime)
        assert Session.select().count() == before - 3
        assert LoginFailure.select().count() == 0
        assert AdminSessionRow.select().where(
            AdminSessionRow.expires_at <= clock.timestamp()).count() == 0
    for ended in (ann, *by_key):
        assert realm.post("/auth/session", ended.refresh_token).status_code == 401
    assert _refreshes(realm, fresh)
    assert _refreshes(realm, anonymous)


def test_a_pass_stops_between_batches_when_asked(app: Flask, realm: ClientApp) -> None:
    key = realm.create_server_key()["key"]
    for _ in range(BOUND):
        realm.login_with_key(key)
    clock.advance(timedelta(seconds=REFRESH_SECONDS + 1))
    with in_database(app):
        assert pruning.prune(batch_size=1, keep_going=lambda: False).counts["sessions"] == 1
        assert pruning.prune(batch_size=1).counts["sessions"] == BOUND - 1


def test_a_closed_throttle_window_is_pruned_and_the_open_one_kept(
    app: Flask, realm: ClientApp
) -> None:
    with in_database(app):
        throttle.record_failure(throttle.login_scopes(realm.app_id, "203.0.113.7"))
        assert pruning.prune(batch_size=10).counts["login_failures"] == 0
        clock.advance(timedelta(seconds=300))
        assert pruning.prune(batch_size=10).counts["login_failures"] == 2


def test_healthz_reports_live_sessions_and_the_database_size(
    client: FlaskClient, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    realm.login_with_key(key)
    realm.login_anonymously()
    usage.forget()
    body = assert_json(client.get("/healthz"), 200)
    assert body["status"] == "ok"
    assert body["database_bytes"] > 0
    if not body["sessions_estimated"]:  # PostgreSQL's estimate lags until analysed
        assert body["sessions"] == 2
    assert assert_json(client.get("/healthz/live"), 200) == {"status": "ok",
                                                             "version": __version__}


def test_the_console_shows_a_users_session_count(
    app: Flask, realm: ClientApp, admin_session: AdminSession
) -> None:
    key = realm.create_server_key()["key"]
    user_id = realm.login_with_key(key).user_id
    realm.login_with_key(key)
    console = Console(app, app.test_client(), admin_session.public_key,
                      admin_session.private_key)
    console.sign_in()
    page = console.get(f"/console/groups/{admin_session.group_id}/apps/{realm.app_id}/users")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = html[html.index(user_id):]
    assert '<td data-label="Sessions">2</td>' in row[:row.index("</tr>")]
