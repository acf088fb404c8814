"""Looking straight into a deployment's database (sqlite3 / psycopg, not the service's
code), to check what no HTTP answer can show: nothing half-made was left behind."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg


def query(database_url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one read-only statement (`%s` placeholders) and return its rows."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as sqlite:
            return list(sqlite.execute(statement.replace("%s", "?"), params).fetchall())
    with contextlib.closing(psycopg.connect(database_url)) as postgres, \
            postgres.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


@dataclass(frozen=True)
class Inventory:
    """What the database holds of keys, users and identities."""

    server_keys: dict[str, str]  # key id -> its server user's id
    user_keys: dict[str, str]  # key id -> its owner's id
    users: dict[str, str]  # user id -> type ("server" or "normal")
    identities: list[tuple[str, str, str]]  # (user id, provider type, external id)

    @classmethod
    def read(cls, database_url: str, app_id: str | None = None) -> Inventory:
        """Read the inventory of one app, or of every app."""
        where, params = ("WHERE app_id = %s", (app_id,)) if app_id else ("", ())
        keys = query(database_url, f"SELECT id, user_id, kind FROM api_key {where}", params)  # noqa: S608
        users = query(database_url, f'SELECT id, type FROM "user" {where}', params)  # noqa: S608
        identities = query(
            database_url,
            f"SELECT user_id, provider_type, external_id FROM identity {where}",  # noqa: S608
            params,
        )
        return cls(
            server_keys={key: user for key, user, kind in keys if kind == "server"},
            user_keys={key: user for key, user, kind in keys if kind == "user"},
            users=dict(users),
            identities=[(user, provider, external) for user, provider, external in identities],
        )

    def problems(self) -> list[str]:
        """Everything half-made: each entry names one broken promise."""
        found: list[str] = []
        key_identities = Counter(
            (user, external) for user, provider, external in self.identities
            if provider == "api-key"
        )
        identities_per_user = Counter(user for user, _provider, _external in self.identities)
        for key, user in self.server_keys.items():
            if self.users.get(user) != "server":
                found.append(f"server key {key} has no server user")
            elif key_identities[(user, key)] != 1:
                found.append(f"server key {key}'s user has no api-key identity for it")
        for key, owner in self.user_keys.items():
            if self.users.get(owner) != "normal":
                found.append(f"user key {key} has no owner")
        keys_by_user = Counter(self.server_keys.values())
        for user, user_type in self.users.items():
            if identities_per_user[user] == 0:
                found.append(f"user {user} has no identity")
            if user_type == "server" and keys_by_user[user] != 1:
                found.append(f"server user {user} has {keys_by_user[user]} keys, not 1")
        for user, external in key_identities:
            if external not in self.server_keys and external not in self.user_keys:
                found.append(f"user {user} has an api-key identity for a key that is gone")
        if len(self.server_keys) != sum(1 for t in self.users.values() if t == "server"):
            found.append("the numbers of server keys and server users differ")
        return found
