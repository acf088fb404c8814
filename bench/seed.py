"""The data the workloads need, and the filler keys of the scale test.

`prepare` sets up through the service's own APIs (a few dozen calls): two apps, a user
with 20 keys, 100 server keys, and the tokens the workloads send. `fill_keys` then adds
keys in bulk straight into the database (one transaction of executemany on SQLite, COPY
on PostgreSQL), with the digests of real random keys, so that a million rows take
seconds, not the hours HTTP would.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

import psycopg
import requests

from app.domain import keys
from app.models import ApiKey, App, User
from tests.support.admin_api import AdminApi
from tests.support.client_api import ClientApi
from tests.support.http import Live

USER_KEYS = 20
SERVER_KEYS = 100
KEYS_PER_FILLER_USER = 20
CHUNK = 50_000


@dataclass(frozen=True)
class Fixtures:
    """What the workloads send: ids, key values and tokens made during set-up."""

    group_id: str
    app_id: str  # the app with 100 server keys and the user with 20 keys
    client_app_id: str
    crud_app_id: str  # the app whose keys are created and deleted
    server_key: str
    user_key: str
    admin_access_token: str
    user_refresh_token: str  # an email/password session: may list the user's keys
    key_access_token: str  # a session opened with the server key
    key_refresh_token: str


def _call(client: ClientApi[requests.Response], method: str, path: str, *, token: str = "",
          json: Any = None, expect: int = 200) -> Any:
    """A Client API call of the set-up, which must answer `expect`."""
    response = client.request(method, path, token=token or None, json=json)
    if response.status_code != expect:
        raise RuntimeError(f"set-up: {method} {path} answered {response.status_code}, "
                           f"not {expect}: {response.text[:300]}")
    return response.json() if response.content else None


def prepare(base_url: str) -> Fixtures:
    """Set up the apps, keys, user and tokens through the Admin and Client APIs."""
    http = Live(base_url)
    admin = AdminApi(http).log_in()
    client = ClientApi(http)
    tag = secrets.token_hex(3)

    def new_app(name: str) -> dict[str, Any]:
        created = admin.create_app(f"{name}-{tag}")
        admin.enable_api_keys(created["_id"])
        return created

    app, crud_app = new_app("bench"), new_app("benchcrud")
    admin.enable_provider(app["_id"], "local-userpass", {"autoConfirm": True})
    server_keys = [admin.new_server_key(app["_id"], f"server-{number}")["key"]
                   for number in range(SERVER_KEYS)]
    client_app = f"/app/{app['client_app_id']}"
    credentials = {"username": "bench@example.com", "password": "bench-password"}
    _call(client, "POST", f"{client_app}/auth/providers/local-userpass/register", expect=201,
          json={"email": credentials["username"], "password": credentials["password"]})
    user = _call(client, "POST", f"{client_app}/auth/providers/local-userpass/login",
                 json=credentials)
    for number in range(USER_KEYS):  # the listing workload's 20 keys
        _call(client, "POST", "/auth/api_keys", token=user["refresh_token"], expect=201,
              json={"name": f"user-{number}"})
    # The login workloads take their users to MAX_SESSIONS_PER_USER, where each login
    # ends the user's oldest session: so the sessions the other workloads use belong to
    # users no workload logs in. The user-key logins are another user's, with a key of
    # its own (the listing user keeps its password session).
    logger = {"username": "bench-login@example.com", "password": "bench-password"}
    _call(client, "POST", f"{client_app}/auth/providers/local-userpass/register", expect=201,
          json={"email": logger["username"], "password": logger["password"]})
    logger_session = _call(client, "POST", f"{client_app}/auth/providers/local-userpass/login",
                           json=logger)
    login_user_key = _call(client, "POST", "/auth/api_keys", expect=201,
                           token=logger_session["refresh_token"], json={"name": "login"})["key"]
    # A user key's first login links its identity; do it here, not in the workload.
    _call(client, "POST", f"{client_app}/auth/providers/api-key/login",
          json={"key": login_user_key})
    key_login = _call(client, "POST", f"{client_app}/auth/providers/api-key/login",
                      json={"key": server_keys[1]})
    return Fixtures(
        group_id=admin.group_id, app_id=app["_id"], client_app_id=app["client_app_id"],
        crud_app_id=crud_app["_id"], server_key=server_keys[0], user_key=login_user_key,
        admin_access_token=admin.access_token, user_refresh_token=user["refresh_token"],
        key_access_token=key_login["access_token"],
        key_refresh_token=key_login["refresh_token"],
    )


# --- bulk filler ----------------------------------------------------------------------

_BASE62 = keys.ALPHABET.encode()
_TO_BASE62 = bytes(_BASE62[value % 62] for value in range(256))


def random_key_digests(count: int) -> Iterator[str]:
    """Digests of `count` random, well-formed keys (fast: no per-character choice)."""
    width = keys.BODY_LENGTH
    done = 0
    while done < count:
        batch = min(CHUNK, count - done)
        raw = os.urandom(width * batch).translate(_TO_BASE62).decode()
        for start in range(0, width * batch, width):
            body = raw[start:start + width]
            yield keys.digest(keys.with_checksum(keys.API_KEY_PREFIX, body))
        done += batch


def _object_ids(count: int) -> Iterator[str]:
    run = secrets.token_hex(4)  # 8 hex digits; the counter makes the other 16
    for number in range(count):
        yield f"{run}{number:016x}"


def _columns(model: Any, values: dict[str, Any]) -> tuple[str, list[str]]:
    fields = model._meta.fields
    return model._meta.table_name, [fields[name].column_name for name in values]


class _Writer:
    """Bulk inserts into SQLite (executemany) or PostgreSQL (COPY), in one transaction."""

    def __init__(self, database_url: str) -> None:
        parsed = urlparse(database_url)
        self.sqlite = parsed.scheme.startswith("sqlite")
        self.connection: Any
        if self.sqlite:
            self.connection = sqlite3.connect(unquote(parsed.path)[1:], timeout=30,
                                              isolation_level=None)
            self.connection.execute("PRAGMA foreign_keys = ON")
            self.connection.execute("PRAGMA synchronous = NORMAL")
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            self.connection = psycopg.connect(database_url)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite:
            return list(self.connection.execute(sql).fetchall())
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def insert(self, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{column}"' for column in columns)
        if self.sqlite:
            marks = ", ".join("?" for _ in columns)
            self.connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                                        rows)
            return
        copy_sql = f'COPY "{table}" ({names}) FROM STDIN'
        with self.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            lines: list[str] = []
            for row in rows:
                lines.append("\t".join(_copy_text(value) for value in row) + "\n")
                if len(lines) == CHUNK:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))

    def commit(self) -> None:
        if self.sqlite:
            self.connection.execute("COMMIT")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self.connection.commit()
            self.connection.autocommit = True
            with self.connection.cursor() as cursor:
                cursor.execute(f'VACUUM ANALYZE "{ApiKey._meta.table_name}"')
                cursor.execute(f'VACUUM ANALYZE "{User._meta.table_name}"')

    def close(self) -> None:
        self.connection.close()


def _copy_text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def fill_keys(database_url: str, group_id: str, total: int, now: int) -> int:
    """Add user keys (20 per new user, in a new app of the group) until there are `total`.

    Returns how many were added. The service should be stopped meanwhile (SQLite).
    """
    writer = _Writer(database_url)
    try:
        existing = int(writer.query(f'SELECT COUNT(*) FROM "{ApiKey._meta.table_name}"')[0][0])
        missing = max(0, total - existing)
        if not missing:
            if writer.sqlite:
                writer.connection.execute("ROLLBACK")
            return 0
        app_id = next(_object_ids(1))
        app_values = {
            "id": app_id, "group": group_id, "name": f"filler-{app_id[:8]}",
            "client_app_id": f"filler-{app_id[:8]}", "domain_id": app_id,
            "location": "US-VA", "deployment_model": "GLOBAL", "product": "standard",
            "created_at": now, "last_modified": now,
        }
        table, columns = _columns(App, app_values)
        writer.insert(table, columns, iter([tuple(app_values.values())]))

        users = -(-missing // KEYS_PER_FILLER_USER)
        user_ids = list(_object_ids(users))
        user_columns = ["id", "app", "type", "disabled", "creation_date",
                        "last_authentication_date", "data", "custom_data"]
        table, columns = _columns(User, dict.fromkeys(user_columns))
        writer.insert(table, columns, (
            (user_id, app_id, "normal", False, now, 0, "{}", "{}") for user_id in user_ids
        ))

        key_columns = ["id", "app", "kind", "user", "name", "digest", "disabled", "created_at"]
        table, columns = _columns(ApiKey, dict.fromkeys(key_columns))
        writer.insert(table, columns, (
            (key_id, app_id, "user", user_ids[number // KEYS_PER_FILLER_USER],
             f"k{number % KEYS_PER_FILLER_USER}", digest, False, now)
            for number, (key_id, digest) in enumerate(
                zip(_object_ids(missing), random_key_digests(missing), strict=True))
        ))
        writer.commit()
        return missing
    except BaseException:
        with contextlib.suppress(Exception):
            writer.connection.rollback() if not writer.sqlite else writer.connection.execute(
                "ROLLBACK")
        raise
    finally:
        writer.close()
