"""Admin private keys at rest: a salted scrypt hash, not a SHA-256 a stolen database would
give up to a dictionary; pairs stored by older releases (an unsalted SHA-256) still log in
and are rewritten on their first use; a changed private key in the environment ends the
sessions the old one opened.

Issue 18, items 3 and 6. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock, storage
from app.domain import admin
from app.models import AdminKey, AdminSession, Group, SchemaVersion
from app.storage import SCHEMA_VERSION
from tests.support.app import InProcessAdmin as LoggedInAdmin
from tests.support.app import empty_postgres_tables, make_app
from tests.support.http import ADMIN_BASE
from tests.support.http import ADMIN_LOGIN as LOGIN
from tests.support.spies import count_scrypt_runs
from tests.support.store import in_database, take_away_after_5
from tests.support.wire import assert_error, assert_json

SESSION = f"{ADMIN_BASE}/auth/session"
PROFILE = f"{ADMIN_BASE}/auth/profile"
ENV_PUBLIC_KEY = "automation"
ENV_PRIVATE_KEY = "env-private-key-0123456789"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: FlaskClient, public_key: str, private_key: str) -> dict[str, str]:
    body: dict[str, str] = assert_json(
        client.post(LOGIN, json={"username": public_key, "apiKey": private_key}), 200)
    return body


def _stored(app: Flask, public_key: str) -> str:
    with in_database(app):
        digest: str = AdminKey.get(AdminKey.public_key == public_key).private_key_digest
    return digest


def _with_env_pair(database_url: str, tmp_path: Path, private_key: str, **extra: object) -> Flask:
    """Start the service (again) with an admin pair configured in the environment."""
    return make_app(database_url, tmp_path / "instance", ADMIN_PUBLIC_KEY=ENV_PUBLIC_KEY,
                    ADMIN_PRIVATE_KEY=private_key, **extra)


# --- the stored form ----------------------------------------------------------------


def test_a_new_pair_is_stored_as_salted_scrypt_and_never_as_sha256(
    app: Flask, admin_session: LoggedInAdmin
) -> None:
    stored = _stored(app, admin_session.public_key)

    assert stored.startswith("$scrypt$ln=4,r=8,p=1$")  # the tests' cost, named in the row
    assert stored != hashlib.sha256(admin_session.private_key.encode()).hexdigest()
    assert admin_session.private_key not in stored


def test_two_pairs_with_the_same_private_key_are_stored_differently(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    with in_database(app):
        admin.ensure_admin_key("first", ENV_PRIVATE_KEY)
        admin.ensure_admin_key("second", ENV_PRIVATE_KEY)

    assert _stored(app, "first") != _stored(app, "second")


# --- rows written by older releases -----------------------------------------------


def _make_legacy(app: Flask, public_key: str, private_key: str) -> str:
    """Store the pair's private key as releases before scrypt did: unsalted SHA-256 hex."""
    legacy = hashlib.sha256(private_key.encode()).hexdigest()
    with in_database(app):
        AdminKey.update(private_key_digest=legacy).where(
            AdminKey.public_key == public_key).execute()
    return legacy


def test_a_pair_stored_as_sha256_by_an_older_release_logs_in_and_is_rewritten_as_scrypt(
    app: Flask, client: FlaskClient, admin_session: LoggedInAdmin
) -> None:
    legacy = _make_legacy(app, admin_session.public_key, admin_session.private_key)

    tokens = _login(client, admin_session.public_key, admin_session.private_key)

    assert client.get(PROFILE, headers=_bearer(tokens["access_token"])).status_code == 200
    upgraded = _stored(app, admin_session.public_key)
    assert upgraded != legacy and upgraded.startswith("$scrypt$")
    # ... and the rewritten row keeps working, for the sessions opened before too.
    _login(client, admin_session.public_key, admin_session.private_key)
    assert admin_session.get("/auth/profile").status_code == 200


def test_a_wrong_private_key_on_a_sha256_row_is_refused_and_leaves_the_row_alone(
    app: Flask, client: FlaskClient, admin_session: LoggedInAdmin
) -> None:
    legacy = _make_legacy(app, admin_session.public_key, admin_session.private_key)

    response = client.post(LOGIN, json={"username": admin_session.public_key,
                                        "apiKey": admin_session.private_key + "x"})

    assert_error(response, 401, "AuthError")
    assert _stored(app, admin_session.public_key) == legacy


def test_a_disabled_pair_stored_as_sha256_is_refused_and_not_rewritten(
    app: Flask, client: FlaskClient, admin_session: LoggedInAdmin
) -> None:
    legacy = _make_legacy(app, admin_session.public_key, admin_session.private_key)
    with in_database(app):
        admin.disable_admin_key(admin_session.public_key)

    response = client.post(LOGIN, json={"username": admin_session.public_key,
                                        "apiKey": admin_session.private_key})

    assert_error(response, 401, "AuthError")
    assert _stored(app, admin_session.public_key) == legacy


def test_a_hash_made_at_a_lower_cost_is_rewritten_at_the_configured_one_on_login(
    admin_session: LoggedInAdmin, database_url: str, tmp_path: Path
) -> None:
    stronger = make_app(database_url, tmp_path / "instance", ADMIN_KEY_SCRYPT_LOG_N=5)

    _login(stronger.test_client(), admin_session.public_key, admin_session.private_key)

    assert _stored(stronger, admin_session.public_key).startswith("$scrypt$ln=5,")


def test_the_environment_pair_stored_as_sha256_is_rewritten_at_start_up_and_keeps_its_sessions(
    database_url: str, tmp_path: Path
) -> None:
    first = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)
    client = first.test_client()
    tokens = _login(client, ENV_PUBLIC_KEY, ENV_PRIVATE_KEY)
    legacy = _make_legacy(first, ENV_PUBLIC_KEY, ENV_PRIVATE_KEY)
    storage.close_all()

    restarted = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)

    assert _stored(restarted, ENV_PUBLIC_KEY).startswith("$scrypt$")
    client = restarted.test_client()
    assert client.get(PROFILE, headers=_bearer(tokens["access_token"])).status_code == 200
    assert client.post(SESSION, headers=_bearer(tokens["refresh_token"])).status_code == 201
    _login(client, ENV_PUBLIC_KEY, ENV_PRIVATE_KEY)
    assert _stored(restarted, ENV_PUBLIC_KEY) != legacy


def test_a_corrupt_stored_hash_refuses_the_login_with_a_401_not_a_500(
    app: Flask, client: FlaskClient, admin_session: LoggedInAdmin
) -> None:
    with in_database(app):
        AdminKey.update(private_key_digest="$scrypt$ln=4,r=8,p=1$garbage").where(
            AdminKey.public_key == admin_session.public_key).execute()

    response = client.post(LOGIN, json={"username": admin_session.public_key,
                                        "apiKey": admin_session.private_key})

    assert_error(response, 401, "AuthError")


# --- timing does not tell which public keys exist ---------------------------------


@pytest.mark.parametrize("who", ["unknown public key", "malformed public key",
                                 "wrong private key", "disabled pair"])
def test_every_refused_admin_login_costs_one_scrypt_run(
    app: Flask, client: FlaskClient, admin_session: LoggedInAdmin,
    monkeypatch: pytest.MonkeyPatch, who: str,
) -> None:
    credentials = {"username": admin_session.public_key, "apiKey": admin_session.private_key}
    if who == "unknown public key":
        credentials["username"] = "nosuchkey"
    elif who == "malformed public key":
        credentials["username"] = "not a public key!"
    elif who == "wrong private key":
        credentials["apiKey"] += "x"
    else:
        with in_database(app):
            admin.disable_admin_key(admin_session.public_key)
    runs = count_scrypt_runs(monkeypatch)

    assert_error(client.post(LOGIN, json=credentials), 401, "AuthError")
    assert len(runs) == 1


# --- a private key changed in the environment --------------------------------------


def test_changing_the_environment_private_key_ends_the_old_keys_sessions_at_start_up(
    database_url: str, tmp_path: Path
) -> None:
    first = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)
    tokens = _login(first.test_client(), ENV_PUBLIC_KEY, ENV_PRIVATE_KEY)
    storage.close_all()

    rotated = _with_env_pair(database_url, tmp_path, "a-new-private-key-after-a-leak")
    client = rotated.test_client()

    assert_error(client.get(PROFILE, headers=_bearer(tokens["access_token"])),
                 401, "InvalidSession")
    assert_error(client.post(SESSION, headers=_bearer(tokens["refresh_token"])),
                 401, "InvalidSession")
    assert_error(client.post(LOGIN, json={"username": ENV_PUBLIC_KEY,
                                          "apiKey": ENV_PRIVATE_KEY}), 401, "AuthError")
    _login(client, ENV_PUBLIC_KEY, "a-new-private-key-after-a-leak")


def test_restarting_with_the_same_environment_pair_keeps_its_sessions(
    database_url: str, tmp_path: Path
) -> None:
    first = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)
    tokens = _login(first.test_client(), ENV_PUBLIC_KEY, ENV_PRIVATE_KEY)
    stored = _stored(first, ENV_PUBLIC_KEY)
    storage.close_all()

    restarted = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)

    client = restarted.test_client()
    assert client.get(PROFILE, headers=_bearer(tokens["access_token"])).status_code == 200
    assert _stored(restarted, ENV_PUBLIC_KEY) == stored  # not rewritten at every start


def test_a_disabled_environment_pair_stays_disabled_when_the_service_restarts(
    database_url: str, tmp_path: Path
) -> None:
    first = _with_env_pair(database_url, tmp_path, ENV_PRIVATE_KEY)
    with in_database(first):
        admin.disable_admin_key(ENV_PUBLIC_KEY)
    storage.close_all()

    restarted = _with_env_pair(database_url, tmp_path, "even-with-a-new-private-key")

    response = restarted.test_client().post(LOGIN, json={
        "username": ENV_PUBLIC_KEY, "apiKey": "even-with-a-new-private-key"})
    assert_error(response, 401, "AuthError")


# --- the schema change --------------------------------------------------------------


@pytest.fixture
def version_2_database(database_url: str, tmp_path: Path) -> tuple[str, str, str, str]:
    """A database as schema version 2 left it: a 64-character column holding an admin
    pair's SHA-256, with a group and a session. Returns (public key, private key, group
    id, session id)."""
    old = make_app(database_url, tmp_path / "old")
    if not database_url.startswith("sqlite"):
        empty_postgres_tables()
    with in_database(old):
        issued = admin.create_admin_key(["legacy-group"], "made by the previous release")
        AdminKey.update(
            private_key_digest=hashlib.sha256(issued.private_key.encode()).hexdigest()
        ).where(AdminKey.id == issued.admin_key.id).execute()
        session = AdminSession.create(admin_key=issued.admin_key, created_at=clock.timestamp(),
                                      expires_at=clock.timestamp() + 3600)
        if not storage.is_sqlite():
            storage.database.execute_sql(
                "ALTER TABLE admin_key ALTER COLUMN private_key_digest TYPE VARCHAR(64)")
        take_away_after_5()
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=1, applied_at=0)
        SchemaVersion.create(version=2, applied_at=0)
    storage.close_all()
    return issued.admin_key.public_key, issued.private_key, issued.groups[0].id, session.id


def test_a_database_of_schema_version_2_is_upgraded_and_its_admin_pairs_log_in_as_before(
    version_2_database: tuple[str, str, str, str], database_url: str, tmp_path: Path
) -> None:
    public_key, private_key, group_id, session_id = version_2_database

    upgraded = make_app(database_url, tmp_path / "new")
    tokens = _login(upgraded.test_client(), public_key, private_key)

    with in_database(upgraded):
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
        assert versions == list(range(1, SCHEMA_VERSION + 1)) and SCHEMA_VERSION >= 3
        row = AdminKey.get(AdminKey.public_key == public_key)
        assert row.private_key_digest.startswith("$scrypt$")  # fits the widened column
        assert row.description == "made by the previous release"
        assert [group.id for group in admin.groups_of(row)] == [group_id]
        assert Group.get_by_id(group_id).name == "legacy-group"
        sessions = {session.id for session in
                    AdminSession.select().where(AdminSession.admin_key == row)}
        assert session_id in sessions and len(sessions) == 2  # the old one and this login's
    profile = upgraded.test_client().get(PROFILE, headers=_bearer(tokens["access_token"]))
    assert [role["group_id"] for role in profile.json["roles"]] == [group_id]
