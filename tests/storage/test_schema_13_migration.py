"""Upgrading a database of schema version 12 to 13 keeps every key working.

Version 13 (issue 15) records each API key's last login in six nullable columns of
`api_key`. Keys from before show no last use until their next login, then show it. The
version-12 database is the current shape with those columns taken away. Every test runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import storage
from app.domain import api_keys, key_usage, logins, providers, sessions
from app.models import ApiKey, SchemaVersion
from app.storage.migrations import MIGRATIONS
from tests.support.store import (
    SCHEMA_13_COLUMNS,
    app_before_upgrade,
    in_database,
    legacy_app,
    take_away_schema_13,
    upgraded_app,
)

LAST_USED_STEP = 13  # the version that added the key's last use


@dataclass(frozen=True)
class Before13:
    client_app_id: str
    key_id: str
    key: str
    refresh_token: str


def _login(client_app_id: str, key: str) -> sessions.LoginResult:
    return logins.login_with_api_key(
        logins.login_target(client_app_id, providers.API_KEY), key,
        logins.LoginRequest(device={"platform": "Linux", "sdk": "Dart"},
                            client_address="192.0.2.1"))


def _api_key_columns() -> set[str]:
    return {column.name for column in storage.database.get_columns("api_key")}


def _version_12_database(database_url: str, tmp_path: Path) -> Before13:
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, _ = legacy_app()
        issued = api_keys.create_server_key(app, "old-key")
        session = _login(app.client_app_id, issued.key)
        take_away_schema_13()
        assert not _api_key_columns() & set(SCHEMA_13_COLUMNS)
        SchemaVersion.delete().execute()  # a new database records only its version
        for version in range(1, LAST_USED_STEP):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    return Before13(app.client_app_id, issued.api_key.id, issued.key, session.refresh_token)


def test_upgraded_keys_keep_working_and_show_no_last_use_until_a_login(
    database_url: str, tmp_path: Path
) -> None:
    before = _version_12_database(database_url, tmp_path)

    upgraded = upgraded_app(database_url, tmp_path / "new", since=LAST_USED_STEP)

    with in_database(upgraded):
        assert set(SCHEMA_13_COLUMNS) <= _api_key_columns()
        assert key_usage.last_used(ApiKey.get_by_id(before.key_id)) is None
        sessions.authenticate_refresh(before.refresh_token)  # the old session holds
        assert _login(before.client_app_id, before.key).user_id
        used = key_usage.last_used(ApiKey.get_by_id(before.key_id))
        assert used is not None
        assert (used.ip_address, used.platform, used.sdk_name) == ("192.0.2.1", "Linux", "Dart")
    storage.close_all()


def test_the_step_is_repeatable(database_url: str, tmp_path: Path) -> None:
    before = _version_12_database(database_url, tmp_path)
    upgraded = upgraded_app(database_url, tmp_path / "new", since=LAST_USED_STEP)
    with in_database(upgraded):
        MIGRATIONS[LAST_USED_STEP]()  # every column there already: nothing to do, no error
        assert set(SCHEMA_13_COLUMNS) <= _api_key_columns()
        assert _login(before.client_app_id, before.key).user_id
    storage.close_all()
