"""Upgrading a database of the schema before version 8 to 8 loses nothing.

Version 8 (issue 14, parts 3-4) adds a key's roll count, its previous value's digest and
grace end, its expiry, and a session's roll. Existing keys keep logging in with their
only value, never expire and have nothing to roll back to; existing sessions hold.

The old database is the current shape with version 8's additions taken away. Every test
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from app import storage
from app.domain import api_keys, key_rolls, logins, providers, sessions
from app.models import ApiKey, SchemaVersion, Session
from tests.support.app import make_app
from tests.support.store import (
    app_before_upgrade,
    assert_upgraded_to_latest,
    in_database,
    legacy_app,
    take_away_schema_8,
)


@dataclass(frozen=True)
class Before8:
    client_app_id: str
    key_id: str
    key: str
    refresh_token: str


def _take_away_schema_8() -> None:
    """Give the database the shape before version 8. Call inside `in_database`."""
    take_away_schema_8()
    SchemaVersion.delete().execute()
    for version in range(1, 8):
        SchemaVersion.create(version=version, applied_at=0)


def _login(client_app_id: str, key: str) -> sessions.LoginResult:
    return logins.login_with_api_key(logins.login_target(client_app_id, providers.API_KEY),
                                     key, logins.LoginRequest(device={}))


@pytest.fixture
def before_8(database_url: str, tmp_path: Path) -> Before8:
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, _ = legacy_app()
        issued = api_keys.create_server_key(app, "old-key")
        session = _login(app.client_app_id, issued.key)
        _take_away_schema_8()
        columns = {column.name for column in storage.database.get_columns("api_key")}
        assert not columns & {"rolls", "previous_digest", "expires_at"}
    storage.close_all()
    return Before8(app.client_app_id, issued.api_key.id, issued.key, session.refresh_token)


def _upgraded(database_url: str, tmp_path: Path) -> Flask:
    upgraded = make_app(database_url, tmp_path / "new")
    assert_upgraded_to_latest(upgraded, since=8)
    return upgraded


def test_existing_keys_and_sessions_hold_and_never_expire(
    before_8: Before8, database_url: str, tmp_path: Path
) -> None:
    upgraded = _upgraded(database_url, tmp_path)

    with in_database(upgraded):
        stored = ApiKey.get_by_id(before_8.key_id)
        assert (stored.rolls, stored.previous_digest, stored.previous_valid_until,
                stored.expires_at) == (0, None, None, None)
        assert [session.api_key_roll for session in Session.select()] == [0]
        assert sessions.authenticate_refresh(before_8.refresh_token).user.id == stored.user_id
        assert _login(before_8.client_app_id, before_8.key).user_id == stored.user_id


def test_an_upgraded_key_rolls_with_a_grace_period(
    before_8: Before8, database_url: str, tmp_path: Path
) -> None:
    upgraded = _upgraded(database_url, tmp_path)

    with in_database(upgraded):
        rolled = key_rolls.roll(ApiKey.get_by_id(before_8.key_id), 3600)
        # Both values log in (the old one for an hour); the old session holds.
        assert _login(before_8.client_app_id, before_8.key).user_id == rolled.api_key.user_id
        assert _login(before_8.client_app_id, rolled.key).user_id == rolled.api_key.user_id
        sessions.authenticate_refresh(before_8.refresh_token)
