"""Upgrading a database from before device retention keeps every device and its sessions.

The step adds `device.keep_until` (indexed): until when a session opened from the device
may live. Devices from before are dated as far as the longest refresh lifetime there is
(and a day) after they were last seen, except those an anonymous session uses, which stay
until further notice. The older database is the current shape with the column and its
index taken away. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app import storage
from app.config import MAX_REFRESH_SECONDS
from app.domain import pruning
from app.models import Device, SchemaVersion
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from tests.support.client_actions import client_app_on, clock_moved
from tests.support.http import CLIENT_BASE
from tests.support.store import (
    app_before_upgrade,
    in_database,
    index_names,
    take_away_after_10,
    upgraded_app,
)

STEP = 11  # the version that added device retention
LONGEST_SESSION_SECONDS = MAX_REFRESH_SECONDS + 24 * 3600
SCRIPT = {"platform": "node", "sdkVersion": "2.0.1"}


def _database_before_the_step(database_url: str,
                              tmp_path: Path) -> tuple[list[str], str, str]:
    """Devices made by logins, in a database recorded at the version before STEP; a
    server key of the app, and the app's client App ID."""
    old = app_before_upgrade(database_url, tmp_path / "old")
    realm = client_app_on(old)
    key = realm.create_server_key()["key"]
    devices = [realm.login("api-key", {"key": key}, device=SCRIPT).json["device_id"],
               realm.login("anon-user", {}, device=SCRIPT).json["device_id"]]
    with in_database(old):
        take_away_after_10()
        SchemaVersion.delete().execute()
        for version in range(1, STEP):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    return devices, key, realm.client_app_id


def test_upgrading_keeps_every_device_and_prunes_none_of_them(
    database_url: str, tmp_path: Path
) -> None:
    devices, key, client_app_id = _database_before_the_step(database_url, tmp_path)

    upgraded = upgraded_app(database_url, tmp_path / "new", since=STEP)

    by_key, anonymous = devices
    with in_database(upgraded):
        assert "device_keep_until" in index_names("device")
        assert sorted(str(row.id) for row in Device.select()) == sorted(devices)
        assert Device.get_by_id(anonymous).keep_until is None
        dated = Device.get_by_id(by_key)
        assert dated.keep_until == dated.last_seen + LONGEST_SESSION_SECONDS
        assert pruning.prune(batch_size=10).counts["devices"] == 0
    realm = client_app_on(upgraded, name="after")
    # The old app's key still logs in, sending its device back: the device gets a date.
    response = upgraded.test_client().post(
        f"{CLIENT_BASE}/app/{client_app_id}/auth/providers/api-key/login",
        json={"key": key, "options": {"device": {**SCRIPT, "deviceId": devices[0]}}})
    assert response.status_code == 200, response.json
    assert response.json["device_id"] == devices[0]
    assert realm.login("anon-user", {}, device=SCRIPT).status_code == 200
    with clock_moved(timedelta(seconds=LONGEST_SESSION_SECONDS + 1)):
        with in_database(upgraded):  # its date is past: only the anonymous ones stay
            assert pruning.prune(batch_size=10).counts["devices"] == 1
            remaining = {str(row.id) for row in Device.select()}
            assert anonymous in remaining and by_key not in remaining
    storage.close_all()


def test_the_step_is_right_on_its_own(database_url: str, tmp_path: Path) -> None:
    _database_before_the_step(database_url, tmp_path)
    upgraded = upgraded_app(database_url, tmp_path / "new", since=STEP)
    with in_database(upgraded):
        take_away_after_10()
        MIGRATIONS[STEP]()
        assert "device_keep_until" in index_names("device")
        assert SCHEMA_VERSION >= STEP
    storage.close_all()
