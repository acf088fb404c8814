"""Upgrading a database of schema version 5 to 6 loses nothing and gives old rows what
their responses showed before.

Version 6 keeps an app's `environment` and `provider_region` and a provider's
`metadata_fields` (issue 20). A database made by version 5 has none of those columns: the
fixture makes one through the API, then drops them, which leaves exactly the shape
version 5 created. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import storage
from app.models import App, AuthProvider, SchemaVersion
from app.storage import SCHEMA_VERSION, migrations
from tests.support.app import make_app, new_admin
from tests.support.http import InProcess
from tests.support.store import app_before_upgrade, in_database, take_away_schema_7
from tests.support.wire import assert_json, assert_no_content

NEW_COLUMNS = [(App, "environment"), (App, "provider_region"),
               (AuthProvider, "metadata_fields")]
PASSWORD_CONFIG = {"autoConfirm": True, "resetPasswordUrl": "https://example.com/reset"}


@dataclass(frozen=True)
class Version5:
    admin: Any  # the InProcessAdmin that made it, on the old server
    apps: list[dict[str, Any]]
    providers: dict[str, list[dict[str, Any]]]  # app _id -> GET of each provider
    server_key: str
    client_app_id: str
    user_id: str


def _columns(table: str) -> set[str]:
    return {column.name for column in storage.database.get_columns(table)}


@pytest.fixture
def version_5_database(database_url: str, tmp_path: Path) -> Iterator[Version5]:
    """Two apps, their providers (one configured), a server key and a password user, in a
    database without version 6's columns, recorded at version 5."""
    old = app_before_upgrade(database_url, tmp_path / "old")
    client = old.test_client()
    admin = new_admin(old, client)
    made = [admin.create_app("legacy"), admin.create_app("second")]
    first = made[0]
    admin.enable_api_keys(first["_id"])
    providers_path = f"{admin.app_path(first['_id'])}/auth_providers"
    assert_json(admin.post(providers_path, json={"type": "local-userpass",
                                                 "config": PASSWORD_CONFIG}), 201)
    key = assert_json(admin.create_server_key(first["_id"], "reporting"), 201)["key"]
    user = assert_json(admin.post(f"{admin.app_path(first['_id'])}/users", json={
        "email": "ann@example.com", "password": "a-good-password"}), 201)
    providers = {}
    for app in made:
        path = f"{admin.app_path(app['_id'])}/auth_providers"
        providers[app["_id"]] = [assert_json(admin.get(f"{path}/{p['_id']}"), 200)
                                 for p in assert_json(admin.get(path), 200)]
    with in_database(old):
        take_away_schema_7()  # a version-5 database had none of 7's additions either
        for model, column in NEW_COLUMNS:
            table = model._meta.table_name
            storage.database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
            assert column not in _columns(table)
        SchemaVersion.delete().execute()
        for version in range(1, 6):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    yield Version5(admin, made, providers, key, first["client_app_id"], user["_id"])
    # The PostgreSQL database outlives the test: put the columns back if it failed early.
    restored = make_app(database_url, tmp_path / "restore")
    with in_database(restored):
        migrations.MIGRATIONS[6]()
    storage.close_all()


def _upgraded(before: Version5, database_url: str, tmp_path: Path) -> tuple[Flask, Any]:
    upgraded = make_app(database_url, tmp_path / "new")
    with in_database(upgraded):
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
        assert versions == list(range(1, SCHEMA_VERSION + 1)) and SCHEMA_VERSION >= 6
        for model, column in NEW_COLUMNS:
            assert column in _columns(model._meta.table_name)
    # The same admin session, now talking to the upgraded server.
    return upgraded, before.admin.through(InProcess(upgraded.test_client()))


def test_old_apps_and_providers_read_as_they_did_with_the_new_settings_at_their_defaults(
    version_5_database: Version5, database_url: str, tmp_path: Path
) -> None:
    before = version_5_database

    _, admin = _upgraded(before, database_url, tmp_path)

    listed = assert_json(admin.get(admin.apps_path), 200)
    assert listed == [{**app, "environment": "", "provider_region": "aws-us-east-1"}
                      for app in before.apps]
    for app in before.apps:
        path = f"{admin.app_path(app['_id'])}/auth_providers"
        assert [assert_json(admin.get(f"{path}/{p['_id']}"), 200)
                for p in assert_json(admin.get(path), 200)] == before.providers[app["_id"]]


def test_old_keys_and_users_still_log_in(
    version_5_database: Version5, database_url: str, tmp_path: Path
) -> None:
    before = version_5_database

    upgraded, _ = _upgraded(before, database_url, tmp_path)

    client = upgraded.test_client()
    base = f"/api/client/v2.0/app/{before.client_app_id}/auth/providers"
    key_login = client.post(f"{base}/api-key/login", json={"key": before.server_key})
    assert key_login.status_code == 200, key_login.get_data(as_text=True)
    password_login = client.post(f"{base}/local-userpass/login",
                                 json={"username": "ann@example.com",
                                       "password": "a-good-password"})
    assert assert_json(password_login, 200)["user_id"] == before.user_id


def test_an_old_provider_takes_metadata_fields_and_new_apps_their_settings(
    version_5_database: Version5, database_url: str, tmp_path: Path
) -> None:
    before = version_5_database
    _, admin = _upgraded(before, database_url, tmp_path)
    provider = before.providers[before.apps[0]["_id"]][0]
    path = f"{admin.app_path(before.apps[0]['_id'])}/auth_providers/{provider['_id']}"
    metadata = [{"required": True, "name": "email", "field_name": "mail"}]

    assert_no_content(admin.patch(path, json={**provider, "metadata_fields": metadata}))
    created = assert_json(admin.post(admin.apps_path, json={
        "name": "after", "environment": "qa", "provider_region": "azure-westeurope"}), 201)

    assert assert_json(admin.get(path), 200) == {**provider, "metadata_fields": metadata}
    assert (created["environment"], created["provider_region"], created["location"]) == (
        "qa", "azure-westeurope", "DE-FF")


def test_the_step_is_harmless_on_a_database_that_has_the_columns(
    app: Flask, admin_session: Any
) -> None:
    created = admin_session.create_app("current")

    with in_database(app):
        migrations.MIGRATIONS[6]()

    assert assert_json(admin_session.get(admin_session.app_path(created["_id"])), 200) == created
