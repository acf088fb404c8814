"""Upgrading a database of schema version 9 to 10 logs nobody out.

Version 10 adds the table of token signing keys (issue 14). Tokens issued before it are
HS256 without `kid`, the session named in the access token's `iss`: they keep working
until they expire, checked with the SECRET_KEY-derived key as before. Every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import jwt
from flask import Flask

from app import storage
from app.domain import tokens
from app.models import SchemaVersion, SigningKey
from tests.support.app import empty_postgres_tables, make_app
from tests.support.client_actions import Tokens, client_app_on
from tests.support.http import CLIENT_BASE, bearer
from tests.support.store import assert_upgraded_to_latest, in_database, take_away_after_10


def _as_version_9_tokens(app: Flask, issued: Tokens) -> Tokens:
    """The tokens as releases before version 10 issued them: HS256, no kid, iss = the
    session."""
    with in_database(app):
        secret = tokens._signing_key("client")
    access = jwt.decode(issued.access_token, options={"verify_signature": False})
    access["iss"] = access.pop("baas_id")
    del access["aud"]
    refresh = jwt.decode(issued.refresh_token, options={"verify_signature": False})
    del refresh["iss"], refresh["aud"]
    return Tokens(jwt.encode(access, secret, algorithm="HS256"),
                  jwt.encode(refresh, secret, algorithm="HS256"), issued.user_id,
                  issued.device_id)


def test_a_session_from_before_the_upgrade_still_refreshes(database_url: str,
                                                           tmp_path: Path) -> None:
    old = make_app(database_url, tmp_path / "old", TOKEN_SIGNING_ALGORITHM="HS256")
    if not database_url.startswith("sqlite"):
        empty_postgres_tables()
    realm = client_app_on(old)
    issued = _as_version_9_tokens(old, realm.register_and_login("ada@example.com"))
    with in_database(old):
        take_away_after_10()
        storage.database.execute_sql('DROP TABLE "signing_key"')
        SchemaVersion.delete().where(SchemaVersion.version > 9).execute()
        if not SchemaVersion.select().exists():
            for version in range(1, 10):
                SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()

    upgraded = make_app(database_url, tmp_path / "new")

    assert_upgraded_to_latest(upgraded, since=10)
    with in_database(upgraded):
        assert SigningKey.select().count() == 1
    client = upgraded.test_client()
    profile = client.get(f"{CLIENT_BASE}/auth/profile", headers=bearer(issued.access_token))
    assert profile.status_code == 200, profile.get_json()
    refreshed = client.post(f"{CLIENT_BASE}/auth/session", headers=bearer(issued.refresh_token))
    assert refreshed.status_code == 201, refreshed.get_json()
    new_access = refreshed.get_json()["access_token"]
    assert jwt.get_unverified_header(new_access)["alg"] == "ES256"
    assert client.get(f"{CLIENT_BASE}/auth/profile",
                      headers=bearer(new_access)).status_code == 200
