"""Upgrading a database of schema version 5 (the release before) to 7 loses nothing.

Version 7 adds an app's own refresh token lifetime (none: the server's default), marks
every existing registration confirmed (autoConfirm was the only way to register), and
numbers users, API keys and registrations in creation order: existing rows by their
creation time, then id; new rows by the database, after every existing one.

The version-5 database is the current shape with version 7's additions taken away.
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock, storage
from app.domain import api_keys, logins, passwords, providers, users
from app.models import App, PasswordCredential, SchemaVersion
from tests.support.client_actions import PASSWORD
from tests.support.store import (
    app_before_upgrade,
    in_database,
    legacy_app,
    take_away_after_5,
    upgraded_app,
)


@dataclass(frozen=True)
class Version5:
    app_id: str
    client_app_id: str
    user_ids: list[str]  # in creation order, a second apart
    server_key_ids: list[str]
    server_key: str
    email: str


def _as_version_5() -> None:
    """Take version 7's additions away, as a version-5 database never had them."""
    take_away_after_5()
    SchemaVersion.delete().execute()
    for version in range(1, 6):
        SchemaVersion.create(version=version, applied_at=0)


@pytest.fixture
def version_5_database(database_url: str, tmp_path: Path) -> Version5:
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, _ = legacy_app()
        user_ids, key_ids, secret = [], [], ""
        for number in range(3):
            clock.set_offset(timedelta(seconds=number))
            issued = api_keys.create_server_key(app, f"key-{number}")
            key_ids.append(issued.api_key.id)
            user_ids.append(issued.api_key.user_id)
            secret = secret or issued.key
        clock.reset()
        email = "ada@example.com"
        PasswordCredential.create(id=storage.new_object_id(), app=app, email=email,
                                  password_hash=passwords.hash_password(PASSWORD))
        _as_version_5()
    storage.close_all()
    return Version5(app.id, app.client_app_id, user_ids, key_ids, secret, email)


def test_everything_is_still_there_and_listed_in_creation_order(
    version_5_database: Version5, database_url: str, tmp_path: Path
) -> None:
    before = version_5_database

    upgraded = upgraded_app(database_url, tmp_path / "new", since=7)

    with in_database(upgraded):
        app = App.get_by_id(before.app_id)
        listed = users.list_users(app, users.UserQuery())
        assert [user.id for user in listed] == before.user_ids
        assert [key.id for key in api_keys.list_server_keys(app)] == before.server_key_ids
        assert app.refresh_token_seconds is None
        credential = PasswordCredential.get(PasswordCredential.email == before.email)
        assert credential.confirmed and credential.creation_order == 1


def test_the_upgraded_database_logs_in_and_numbers_new_rows_after_the_old(
    version_5_database: Version5, database_url: str, tmp_path: Path
) -> None:
    before = version_5_database

    upgraded = upgraded_app(database_url, tmp_path / "new", since=7)

    with in_database(upgraded):
        key_login = logins.login_with_api_key(
            logins.login_target(before.client_app_id, providers.API_KEY), before.server_key,
            logins.LoginRequest(device={}))
        password_login = logins.login_with_password(
            logins.login_target(before.client_app_id, providers.LOCAL_USERPASS), before.email,
            PASSWORD, logins.LoginRequest(device={}))
        assert key_login.user_id == before.user_ids[0]
        app = App.get_by_id(before.app_id)
        api_keys.create_server_key(app, "after-upgrade")
        listed = [user.id for user in users.list_users(app, users.UserQuery())]
        assert listed[:3] == before.user_ids
        assert listed[3] == password_login.user_id  # created at its first login
        assert len(listed) == 5
