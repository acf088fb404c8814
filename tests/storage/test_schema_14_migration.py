"""Upgrading a database of schema version 13 to 14 keeps the session bound.

Version 14 lets a login skip counting its user's sessions: `user.sessions_at_most` is an
upper bound on them, and only a login that finds it at MAX_SESSIONS_PER_USER counts.
Users from before have no such figure; they must each be counted once, at their next
login, or a user who already held sessions would get the bound's worth more. The
version-13 database is the current shape with the column taken away. Every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock, storage
from app.domain import api_keys, logins, providers, sessions
from app.domain.errors import InvalidSession
from app.models import App, SchemaVersion, Session, User
from app.storage.migrations import MIGRATIONS, UNCOUNTED_SESSIONS
from tests.support.store import (
    app_before_upgrade,
    in_database,
    legacy_app,
    take_away_schema_14,
    upgraded_app,
)

COUNTED_STEP = 14  # the version that added `user.sessions_at_most`
HELD_BEFORE = 5  # sessions the key's user holds when the database is upgraded
BOUND = 3


@dataclass(frozen=True)
class Before14:
    client_app_id: str
    user_id: str
    key: str
    refresh_tokens: list[str]  # oldest first


def _login(client_app_id: str, key: str) -> sessions.LoginResult:
    return logins.login_with_api_key(
        logins.login_target(client_app_id, providers.API_KEY), key,
        logins.LoginRequest(device={}, client_address="192.0.2.1"))


def _user_columns() -> set[str]:
    return {column.name for column in storage.database.get_columns("user")}


def _version_13_database(database_url: str, tmp_path: Path) -> Before14:
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, _ = legacy_app()
        issued = api_keys.create_server_key(app, "script")
        refresh_tokens = []
        for _ in range(HELD_BEFORE):
            refresh_tokens.append(_login(app.client_app_id, issued.key).refresh_token)
            clock.advance(timedelta(seconds=1))  # sessions end oldest first
        user_id = issued.api_key.user_id
        take_away_schema_14()
        assert "sessions_at_most" not in _user_columns()
        SchemaVersion.delete().execute()  # a new database records only its version
        for version in range(1, COUNTED_STEP):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    return Before14(app.client_app_id, user_id, issued.key, refresh_tokens)


def test_users_from_before_are_counted_at_their_next_login(
    database_url: str, tmp_path: Path
) -> None:
    before = _version_13_database(database_url, tmp_path)

    upgraded = upgraded_app(database_url, tmp_path / "new", since=COUNTED_STEP,
                            MAX_SESSIONS_PER_USER=BOUND)

    with in_database(upgraded):
        assert User.get_by_id(before.user_id).sessions_at_most == UNCOUNTED_SESSIONS
        for token in before.refresh_tokens:  # every old session still works
            sessions.authenticate_refresh(token)
        newest = _login(before.client_app_id, before.key)
        # Counted: six sessions, so the four oldest end and the bound holds at once.
        assert Session.select().where(Session.user == before.user_id).count() == BOUND
        assert User.get_by_id(before.user_id).sessions_at_most == BOUND
        for token in before.refresh_tokens[:-2]:
            with pytest.raises(InvalidSession):
                sessions.authenticate_refresh(token)
        for token in [*before.refresh_tokens[-2:], newest.refresh_token]:
            sessions.authenticate_refresh(token)
    storage.close_all()


def test_the_step_is_repeatable_and_new_users_start_at_none(
    database_url: str, tmp_path: Path
) -> None:
    before = _version_13_database(database_url, tmp_path)
    upgraded = upgraded_app(database_url, tmp_path / "new", since=COUNTED_STEP)
    with in_database(upgraded):
        MIGRATIONS[COUNTED_STEP]()  # the column is there already: nothing to do, no error
        assert "sessions_at_most" in _user_columns()
        assert _login(before.client_app_id, before.key).user_id == before.user_id
        app = App.get(App.client_app_id == before.client_app_id)
        issued = api_keys.create_server_key(app, "made-after-the-upgrade")
        assert User.get_by_id(issued.api_key.user_id).sessions_at_most == 0
        assert _login(before.client_app_id, issued.key).user_id == issued.api_key.user_id
        assert User.get_by_id(issued.api_key.user_id).sessions_at_most == 1
    storage.close_all()
