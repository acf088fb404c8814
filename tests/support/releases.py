"""Databases made by earlier releases (tests/storage/fixtures), loaded for a test.

`load_release_0_1_0(kind, ...)` gives a database as release 0.1.0 left it: a copy of its
SQLite file, or its PostgreSQL dump restored into a new database with psql, as an
operator restores a plain `pg_dump`. `secrets_of(kind)` is what logs in to it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.support.postgres import find_pg_bin_dir, new_database

RELEASE_0_1_0 = Path(__file__).resolve().parents[1] / "storage" / "fixtures" / "release_0_1_0"

# The tables release 0.1.0 made (schema version 2): every row in them must survive.
TABLES_0_1_0 = ("admin_key", "group", "admin_key_group", "admin_session", "app", "user",
                "api_key", "auth_provider", "device", "identity", "login_failure",
                "password_credential", "session")


def secrets_0_1_0() -> dict[str, Any]:
    secrets: dict[str, Any] = json.loads((RELEASE_0_1_0 / "secrets.json").read_text())
    return secrets


def postgres_tool(name: str) -> str:
    """A PostgreSQL client program: the test server's own, else the one on PATH."""
    with contextlib.suppress(RuntimeError):
        return str(find_pg_bin_dir() / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the PostgreSQL client")
    return found


def restore_plain_dump(dump: Path, database_url: str) -> None:
    """Load a plain-SQL `pg_dump` into `database_url` with psql, stopping at an error.

    pg_dump 15.14 and later fence the dump with `\\restrict` lines, which an older psql
    does not know; they guard against a hostile server's dump, not this committed one.
    """
    text = "".join(line for line in dump.read_text().splitlines(keepends=True)
                   if not line.startswith(("\\restrict", "\\unrestrict")))
    subprocess.run([postgres_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-d", database_url, "-f", "-"],
                   input=text, text=True, capture_output=True, check=True)


def load_release_0_1_0(kind: str, folder: Path, postgres_url: str | None = None) -> str:
    """Put release 0.1.0's `kind` ("sqlite" or "postgres") database in place; its URL.

    PostgreSQL: a new database, named after `folder`, on the server of `postgres_url`."""
    if kind == "sqlite":
        copy = folder / "appservices.db"
        shutil.copyfile(RELEASE_0_1_0 / "appservices.sqlite3", copy)
        return f"sqlite:///{copy}"
    assert postgres_url is not None
    url = new_database(postgres_url, f"release_0_1_0_{folder.name}"[:63].lower())
    restore_plain_dump(RELEASE_0_1_0 / "appservices.pg.sql", url)
    return url


def row_counts(database_url: str, tables: tuple[str, ...] = TABLES_0_1_0) -> dict[str, int]:
    """Rows in each table, read with the database's own driver (no service running)."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as connection:
            return {table: connection.execute(
                f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for table in tables}
    with contextlib.closing(psycopg.connect(database_url)) as connection:
        counts = {}
        for table in tables:
            row = connection.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(
                sql.Identifier(table))).fetchone()
            assert row is not None
            counts[table] = int(row[0])
        return counts
