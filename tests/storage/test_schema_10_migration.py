"""Upgrading a database of schema version 7 to 10 keeps every session and adds the indexes
that the per-user session bound and pruning read.

Version 10 (numbered so that issue 14's 8 and 9 fit before it) only changes indexes: it
adds (user, created_at, id) and expires_at on client sessions, expires_at on admin
sessions, and drops the sessions' index by user alone (the new one begins with it). The
version-7 database is the current shape with them taken away. Every test runs on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from app import db
from app.domain import api_keys, apps, providers
from app.domain.schema import MIGRATIONS
from app.models import Group, SchemaVersion, Session
from tests.conftest import _empty_postgres_tables, make_app
from tests.support.store import (
    SCHEMA_10_DROPPED_INDEX,
    SCHEMA_10_INDEXES,
    add_session,
    assert_upgraded_to_latest,
    in_database,
    index_names,
    take_away_schema_10,
)


def _version_7_database_with_sessions(database_url: str, tmp_path: Path) -> list[str]:
    old = make_app(database_url, tmp_path / "old")
    if not database_url.startswith("sqlite"):
        _empty_postgres_tables()
    with in_database(old):
        group = Group.create(id=db.new_object_id(), name="group", created_at=1)
        app = apps.create_app(group, "legacy")
        provider = providers.find_provider(app, providers.API_KEY)
        assert provider is not None
        providers.set_disabled(provider, False)
        user_ids = [api_keys.create_server_key(app, f"key-{n}").api_key.user_id
                    for n in range(3)]
        for user_id in user_ids:
            add_session(app.id, user_id)
        take_away_schema_10()
        for table, index in SCHEMA_10_INDEXES:
            assert index not in index_names(table)
        assert SCHEMA_10_DROPPED_INDEX in index_names("session")
        SchemaVersion.delete().execute()  # a new database records only its version
        for version in range(1, 8):
            SchemaVersion.create(version=version, applied_at=0)
    db.close_all()
    return user_ids


def test_upgrading_from_7_adds_the_indexes_and_keeps_the_sessions(
    database_url: str, tmp_path: Path
) -> None:
    user_ids = _version_7_database_with_sessions(database_url, tmp_path)
    upgraded = make_app(database_url, tmp_path / "new")
    assert_upgraded_to_latest(upgraded, since=10)
    with in_database(upgraded):
        for table, index in SCHEMA_10_INDEXES:
            assert index in index_names(table)
        assert SCHEMA_10_DROPPED_INDEX not in index_names("session")
        assert sorted(row.user_id for row in Session.select()) == sorted(user_ids)
    db.close_all()


def test_the_step_is_right_on_its_own_and_repeatable(database_url: str, tmp_path: Path) -> None:
    _version_7_database_with_sessions(database_url, tmp_path)
    upgraded = make_app(database_url, tmp_path / "new")
    with in_database(upgraded):
        take_away_schema_10()
        MIGRATIONS[10]()
        MIGRATIONS[10]()  # indexes already there: nothing to do, no error
        for table, index in SCHEMA_10_INDEXES:
            assert index in index_names(table)
    db.close_all()
