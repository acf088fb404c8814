"""Secrets never rest in plaintext: after a run that hands out every kind of secret,
none of them is anywhere in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import storage
from app.models import ALL_MODELS
from tests.support.app import InProcessAdmin
from tests.support.http import CLIENT_BASE


def _database_text(app: Flask, database_url: str) -> bytes:
    """Everything the database holds, as bytes: the SQLite files, or every PostgreSQL row."""
    storage.close_all()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        return b"".join(file.read_bytes() for file in files if file.exists())
    chunks: list[bytes] = []
    with app.app_context(), storage.database.connection_context():
        for model in ALL_MODELS:
            table = model._meta.table_name
            query = f'SELECT t::text FROM "{table}" t'  # noqa: S608 - our own table names
            for (row,) in storage.database.execute_sql(query):
                chunks.append(row.encode())
    return b"\n".join(chunks)


def test_no_key_private_key_password_or_token_is_stored_in_plaintext(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin,
    enabled_app: dict[str, Any], database_url: str,
) -> None:
    app_path = admin_session.app_path(enabled_app["_id"])
    secrets: dict[str, str] = {
        "admin private key": admin_session.private_key,
        "admin refresh token": admin_session.refresh_token,
    }
    server_key = admin_session.create_server_key(enabled_app["_id"], "scanner").json["key"]
    secrets["server key"] = server_key
    provider = admin_session.post(f"{app_path}/auth_providers", json={
        "type": "local-userpass", "config": {"autoConfirm": True}})
    assert provider.status_code == 201
    password = "correct-horse-battery"
    email = "scan@example.com"
    app_base = f"{CLIENT_BASE}/app/{enabled_app['client_app_id']}/auth/providers"
    assert client.post(f"{app_base}/local-userpass/register",
                       json={"email": email, "password": password}).status_code == 201
    login = client.post(f"{app_base}/local-userpass/login",
                        json={"username": email, "password": password})
    assert login.status_code == 200
    secrets["password"] = password
    secrets["client refresh token"] = login.json["refresh_token"]
    refresh = {"Authorization": f"Bearer {login.json['refresh_token']}"}
    user_key = client.post(f"{CLIENT_BASE}/auth/api_keys", json={"name": "laptop"},
                           headers=refresh)
    assert user_key.status_code == 201
    secrets["user key"] = user_key.json["key"]
    key_login = client.post(f"{app_base}/api-key/login", json={"key": server_key})
    assert key_login.status_code == 200
    secrets["key-login refresh token"] = key_login.json["refresh_token"]

    stored = _database_text(app, database_url)

    assert len(stored) > 1000  # the scan really read the data
    leaked = [name for name, value in secrets.items() if value.encode() in stored]
    assert leaked == [], f"found in plaintext in the database: {leaked}"
