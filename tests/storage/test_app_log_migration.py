"""Upgrading a database from the schema before app logs (issue 15) to the one with them.

The step adds the table `app_log` (with its indexes) and changes nothing else: sessions
opened before the upgrade keep working, and their next refresh is the first entry. Every
test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from app import storage
from app.models import AppLog, SchemaVersion
from tests.support.client_actions import client_app_on
from tests.support.http import CLIENT_BASE, bearer
from tests.support.store import app_before_upgrade, in_database, upgraded_app

APP_LOG_STEP = 12  # the version that added the table


def test_an_upgraded_database_gets_its_app_log_and_keeps_its_sessions(
    database_url: str, tmp_path: Path
) -> None:
    old = app_before_upgrade(database_url, tmp_path / "old")
    realm = client_app_on(old)
    ann = realm.register_and_login("ann@example.com")
    with in_database(old):
        storage.database.execute_sql('DROP TABLE "app_log"')
        SchemaVersion.delete().where(SchemaVersion.version >= APP_LOG_STEP).execute()
        if not SchemaVersion.select().exists():
            for version in range(1, APP_LOG_STEP):
                SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()

    upgraded = upgraded_app(database_url, tmp_path / "new", since=APP_LOG_STEP)

    with in_database(upgraded):
        assert AppLog.select().count() == 0
        indexes = {index.name for index in storage.database.get_indexes("app_log")}
    assert {"app_log_app_id_started", "app_log_co_id", "app_log_started"} <= indexes, indexes
    client = upgraded.test_client()
    refreshed = client.post(f"{CLIENT_BASE}/auth/session", headers=bearer(ann.refresh_token))
    assert refreshed.status_code == 201, refreshed.get_json()
    with in_database(upgraded):
        entry = AppLog.get()
    assert (entry.type, entry.user_id, entry.status) == ("AUTH", ann.user_id, 201)
