"""Upgrading a database of schema version 8 to 9 keeps every session and adds the indexes
that the per-user session bound and pruning read.

Version 9 only changes indexes: it
adds (user, created_at, id) and expires_at on client sessions, expires_at on admin
sessions, and drops the sessions' index by user alone (the new one begins with it). The
version-8 database is the current shape with them taken away. Every test runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from app import storage
from app.domain import api_keys
from app.models import SchemaVersion, Session
from app.storage.migrations import MIGRATIONS
from tests.support.app import make_app
from tests.support.store import (
    SCHEMA_9_DROPPED_INDEX,
    SCHEMA_9_INDEXES,
    add_session,
    app_before_upgrade,
    assert_upgraded_to_latest,
    in_database,
    index_names,
    legacy_app,
    take_away_after_10,
    take_away_schema_9,
)


def _version_8_database_with_sessions(database_url: str, tmp_path: Path) -> list[str]:
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, _ = legacy_app()
        user_ids = [api_keys.create_server_key(app, f"key-{n}").api_key.user_id
                    for n in range(3)]
        for user_id in user_ids:
            add_session(app.id, user_id)
        take_away_schema_9()
        take_away_after_10()
        for table, index in SCHEMA_9_INDEXES:
            assert index not in index_names(table)
        assert SCHEMA_9_DROPPED_INDEX in index_names("session")
        SchemaVersion.delete().execute()  # a new database records only its version
        for version in range(1, 9):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    return user_ids


def test_upgrading_from_8_adds_the_indexes_and_keeps_the_sessions(
    database_url: str, tmp_path: Path
) -> None:
    user_ids = _version_8_database_with_sessions(database_url, tmp_path)
    upgraded = make_app(database_url, tmp_path / "new")
    assert_upgraded_to_latest(upgraded, since=9)
    with in_database(upgraded):
        for table, index in SCHEMA_9_INDEXES:
            assert index in index_names(table)
        assert SCHEMA_9_DROPPED_INDEX not in index_names("session")
        assert sorted(row.user_id for row in Session.select()) == sorted(user_ids)
    storage.close_all()


def test_the_step_is_right_on_its_own_and_repeatable(database_url: str, tmp_path: Path) -> None:
    _version_8_database_with_sessions(database_url, tmp_path)
    upgraded = make_app(database_url, tmp_path / "new")
    with in_database(upgraded):
        take_away_schema_9()
        MIGRATIONS[9]()
        MIGRATIONS[9]()  # indexes already there: nothing to do, no error
        for table, index in SCHEMA_9_INDEXES:
            assert index in index_names(table)
    storage.close_all()
