"""Upgrading a database made by release 0.1.0 loses nothing.

The databases in tests/storage/fixtures/release_0_1_0 were made by 0.1.0's own code
through its CLI and HTTP API (make.py there). The current code starts on each (start-up
runs every migration), and then everything made before logs in as it did: both admin key
pairs (stored as 0.1.0's SHA-256 digests), the admin's and the clients' refresh tokens
(0.1.0 signed them HS256 without `kid`), every server and user key (disabled ones still
refused), the password, the anonymous user; listings show the same keys and users, and
every table holds the rows it held.

The service's clock is put an hour after the fixtures were made, so that their tokens'
lifetimes mean what they meant then, whenever the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug.test import TestResponse

from app import clock, storage
from app.cli import main
from app.domain import usage
from app.models import SchemaVersion
from app.storage import SCHEMA_VERSION
from tests.support.admin_api import AdminApi
from tests.support.app import make_app
from tests.support.client_api import ClientApi
from tests.support.http import ADMIN_BASE, InProcess
from tests.support.postgres import drop_database
from tests.support.releases import load_release_0_1_0, row_counts, secrets_0_1_0
from tests.support.store import in_database

SECRETS = secrets_0_1_0()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def old_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Release 0.1.0's database of `kind`, loaded afresh for this test."""
    server = request.getfixturevalue("postgres_url") if kind == "postgres" else None
    url = load_release_0_1_0(kind, tmp_path, server)
    yield url
    storage.close_all()
    if kind == "postgres":
        drop_database(url)


@pytest.fixture
def made(kind: str) -> dict[str, Any]:
    """What release 0.1.0 made in this database, and what logs in to it."""
    return dict(SECRETS[kind])


@pytest.fixture
def upgraded(old_database: str, tmp_path: Path) -> Iterator[Flask]:
    """The current code started on the old database, its clock an hour after 0.1.0's."""
    made_at = SECRETS["made_at"]
    clock.set_offset(timedelta(seconds=made_at + 3600 - _real_now()))
    upgraded = make_app(old_database, tmp_path / "instance", SECRET_KEY=SECRETS["secret_key"])
    yield upgraded
    clock.reset()


def _real_now() -> float:
    return (clock.now() - clock.offset()).timestamp()


def _client(app: Flask) -> ClientApi[TestResponse]:
    return ClientApi(InProcess(app.test_client()))


def _admin(app: Flask, pair: dict[str, Any]) -> AdminApi[TestResponse]:
    return AdminApi(InProcess(app.test_client()), pair["public_key"], pair["private_key"])


def test_start_up_migrates_to_the_latest_schema_and_keeps_every_row(
        old_database: str, tmp_path: Path) -> None:
    before = row_counts(old_database)
    assert before["user"] == 12 and before["api_key"] == 10 and before["app"] == 2

    upgraded = make_app(old_database, tmp_path / "instance", SECRET_KEY=SECRETS["secret_key"])

    with in_database(upgraded):
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == list(range(2, SCHEMA_VERSION + 1))  # 0.1.0 made it at version 2
    usage.forget()  # /healthz's figures are kept a few seconds per process
    health = upgraded.test_client().get("/healthz").get_json()
    assert health["schema_version"] == {"database": SCHEMA_VERSION, "code": SCHEMA_VERSION}
    storage.close_all()
    assert row_counts(old_database) == before


def test_both_admin_key_pairs_log_in_and_the_admin_refresh_token_refreshes(
        upgraded: Flask, made: dict[str, Any]) -> None:
    for pair in made["admin_pairs"]:
        admin = _admin(upgraded, pair).log_in()
        assert admin.group_id == made["group_id"]
        assert [app["_id"] for app in admin.apps()] == [app["id"] for app in made["apps"]]
    refreshed = upgraded.test_client().post(
        f"{ADMIN_BASE}/auth/session",
        headers={"Authorization": f"Bearer {made['admin_refresh_token']}"})
    assert refreshed.status_code == 201, refreshed.get_json()


def test_server_keys_are_listed_as_they_were_and_log_in_as_they_did(
        upgraded: Flask, made: dict[str, Any]) -> None:
    admin = _admin(upgraded, made["admin_pairs"][0]).log_in()
    client = _client(upgraded)
    for app in made["apps"]:
        listed = admin.server_keys(app["id"])
        assert [(key["_id"], key["name"], key["disabled"]) for key in listed] == [
            (key["id"], key["name"], key["disabled"]) for key in app["server_keys"]]
        if not app["api_key_provider_enabled"]:  # left disabled by 0.1.0: keys refused ...
            for key in app["server_keys"]:
                login = client.login(app["client_app_id"], "api-key", {"key": key["key"]})
                assert login.status_code == 401, login.get_json()
            admin.enable_api_keys(app["id"])  # ... until the admin turns it on
        for key in app["server_keys"]:
            login = client.login(app["client_app_id"], "api-key", {"key": key["key"]})
            if key["disabled"]:
                assert login.status_code == 401, login.get_json()
            else:
                assert login.status_code == 200, login.get_json()
                assert login.get_json()["user_id"] == key["user_id"]


def test_refresh_tokens_issued_by_0_1_0_still_refresh(upgraded: Flask,
                                                      made: dict[str, Any]) -> None:
    client = _client(upgraded)
    app = made["apps"][0]  # its api-key provider was left enabled
    live = {"server-on": 201, "server-3": 201, "server-off": 401}  # disabling ended it
    for key in app["server_keys"]:
        refreshed = client.request("POST", "/auth/session", token=key["refresh_token"])
        assert refreshed.status_code == live[key["name"]], (key["name"], refreshed.get_json())
    for user in (app["user"], app["anonymous"]):
        refreshed = client.request("POST", "/auth/session", token=user["refresh_token"])
        assert refreshed.status_code == 201, refreshed.get_json()
        profile = client.request("GET", "/auth/profile",
                                 token=refreshed.get_json()["access_token"])
        assert profile.status_code == 200 and profile.get_json()["user_id"] == user["id"]


def test_the_password_and_the_user_keys_log_in_as_they_did(upgraded: Flask,
                                                           made: dict[str, Any]) -> None:
    client = _client(upgraded)
    for app in made["apps"]:
        user = app["user"]
        login = client.login(app["client_app_id"], "local-userpass",
                             {"username": user["email"], "password": user["password"]})
        assert login.status_code == 200, login.get_json()
        assert login.get_json()["user_id"] == user["id"]
        listed = client.request("GET", "/auth/api_keys",
                                token=login.get_json()["refresh_token"]).get_json()
        assert [(key["_id"], key["name"], key["disabled"]) for key in listed] == [
            (key["id"], key["name"], key["disabled"]) for key in user["keys"]]
        wrong = client.login(app["client_app_id"], "local-userpass",
                             {"username": user["email"], "password": "not-the-password"})
        assert wrong.status_code == 401
        disabled_user = client.login(
            app["client_app_id"], "local-userpass",
            {"username": app["disabled_user"]["email"], "password": user["password"]})
        assert disabled_user.status_code == 401, disabled_user.get_json()
    app = made["apps"][0]
    for key in app["user"]["keys"]:
        login = client.login(app["client_app_id"], "api-key", {"key": key["key"]})
        assert login.status_code == (401 if key["disabled"] else 200), login.get_json()
        if not key["disabled"]:
            assert login.get_json()["user_id"] == app["user"]["id"]


def test_the_admin_lists_every_user_with_its_state(upgraded: Flask,
                                                   made: dict[str, Any]) -> None:
    admin = _admin(upgraded, made["admin_pairs"][1]).log_in()
    for app in made["apps"]:
        users = {user["_id"]: user for user in admin.users(app["id"])}
        expected = {key["user_id"] for key in app["server_keys"]} | {
            app["user"]["id"], app["anonymous"]["id"], app["disabled_user"]["id"]}
        assert set(users) == expected
        assert [user_id for user_id, user in users.items() if user["disabled"]] == [
            app["disabled_user"]["id"]]


def test_appservices_admin_migrate_upgrades_it_alone(old_database: str, tmp_path: Path) -> None:
    env: dict[str, str | None] = {
        "DATABASE_URL": old_database, "APPSERVICES_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": SECRETS["secret_key"], "APPSERVICES_ADMIN_PUBLIC_KEY": None,
        "APPSERVICES_ADMIN_PRIVATE_KEY": None}
    before = row_counts(old_database)
    for _ in range(2):  # a second run finds nothing to do
        result = CliRunner().invoke(main, ["admin", "migrate"], env=env)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"The database is at schema version {SCHEMA_VERSION}.\n"
        storage.close_all()
    assert row_counts(old_database, ("schema_version",)) == {
        "schema_version": SCHEMA_VERSION - 1}  # 2 (made so by 0.1.0), then one per step
    assert row_counts(old_database) == before
