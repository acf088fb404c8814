"""Looking at (and, where the API cannot yet, arranging) the database directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from app import clock, storage
from app.domain import apps, providers
from app.models import App, AuthProvider, Group, SchemaVersion, Session
from app.storage import SCHEMA_VERSION
from app.storage.migrations import ORDERED_TABLES
from tests.support.app import empty_postgres_tables, make_app

NO_ID = "0" * 24


@contextmanager
def in_database(app: Flask) -> Iterator[None]:
    """Open the app's database for the test itself, outside any request."""
    with app.app_context(), storage.database.connection_context():
        yield


def add_session(app_id: str, user_id: str, api_key_id: str | None = None) -> Session:
    """Give a user a client session (a refresh token's row), as a login would.

    Call inside `in_database`. Stands in for a client login where the test is about
    what the Admin API does to sessions, not about how they are opened.
    """
    session: Session = Session.create(
        app=app_id, user=user_id, device_id=NO_ID, provider_type="api-key",
        provider_id=NO_ID, identity_id=NO_ID, api_key=api_key_id,
        created_at=clock.timestamp(), expires_at=clock.timestamp() + 3600,
    )
    return session


# What schema 8 added (key rolls and expiry).
SCHEMA_8_COLUMNS = (("api_key", "rolls"), ("api_key", "previous_digest"),
                    ("api_key", "previous_valid_until"), ("api_key", "expires_at"),
                    ("session", "api_key_roll"))


def take_away_after_10() -> None:
    """Give the database the shape of version 10 as far as later versions go: without
    what they added (11: device retention). Call inside `in_database` before recording
    the database at an older version: every step after it runs when it is upgraded
    (`take_away_schema_8`, and so 7 and 6, call it). Versions 13 (keys' last use) and 14
    (users' `sessions_at_most`) add their columns only where they are missing, so their
    columns may stay."""
    storage.database.execute_sql('DROP INDEX IF EXISTS "device_keep_until"')
    storage.database.execute_sql('ALTER TABLE "device" DROP COLUMN "keep_until"')


def take_away_schema_8() -> None:
    """Give the database the shape of version 7 as far as version 8 goes: without the
    columns and the index it added. Call inside `in_database`."""
    take_away_after_10()
    storage.database.execute_sql('DROP INDEX IF EXISTS "api_key_previous_digest"')
    for table, column in SCHEMA_8_COLUMNS:
        storage.database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def take_away_schema_7() -> None:
    """Give the database the shape of version 6 or before: without the columns, triggers,
    sequences and indexes versions 7 and later added. Call inside `in_database`."""
    take_away_schema_8()
    for table in ORDERED_TABLES:
        name = f"{table}_creation_order"
        storage.database.execute_sql(f'DROP INDEX IF EXISTS "{name}_idx"')
        if storage.is_sqlite():
            storage.database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        storage.database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN creation_order')
        if not storage.is_sqlite():
            storage.database.execute_sql(f'DROP SEQUENCE IF EXISTS "{name}_seq"')
    storage.database.execute_sql('ALTER TABLE "app" DROP COLUMN refresh_token_seconds')
    storage.database.execute_sql('ALTER TABLE "password_credential" DROP COLUMN confirmed')


# What schema 6 added (app deployment settings, provider metadata fields).
SCHEMA_6_COLUMNS = (("app", "environment"), ("app", "provider_region"),
                    ("auth_provider", "metadata_fields"))


def take_away_schema_6() -> None:
    """Give the database the shape of version 5 or before as far as version 6 goes:
    without the columns it added. Call inside `in_database`."""
    for table, column in SCHEMA_6_COLUMNS:
        storage.database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def take_away_after_5() -> None:
    """Give the database the shape of version 5: without what versions 6 and 7 added."""
    take_away_schema_7()
    take_away_schema_6()


def assert_upgraded_to_latest(app: Flask, since: int) -> None:
    """Check that `app`'s start-up ran every migration: the database records each version
    from 1 to the latest, which is at least `since` (the step a test is about)."""
    with in_database(app):
        versions = [row.version for row in
                    SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == list(range(1, SCHEMA_VERSION + 1)) and SCHEMA_VERSION >= since


def upgraded_app(database_url: str, instance_path: Path, *, since: int,
                 **settings: Any) -> Flask:
    """Start the service on an older database (start-up runs the migrations) and check that
    every one ran. `settings` override the tests' configuration (make_app)."""
    upgraded = make_app(database_url, instance_path, **settings)
    assert_upgraded_to_latest(upgraded, since=since)
    return upgraded


def app_before_upgrade(database_url: str, instance_path: Path) -> Flask:
    """The service on the test's empty database, for the test to give it an older shape."""
    old = make_app(database_url, instance_path)
    if not database_url.startswith("sqlite"):
        empty_postgres_tables()
    return old


def legacy_app() -> tuple[App, AuthProvider]:
    """In the open database: an app "legacy" of a group of its own, its api-key provider
    enabled, with a local-userpass provider that confirms users automatically (returned)."""
    group = Group.create(id=storage.new_object_id(), name="group", created_at=1)
    app = apps.create_app(group, "legacy")
    api_key_provider = providers.find_provider(app, providers.API_KEY)
    assert api_key_provider is not None
    providers.set_disabled(api_key_provider, False)
    password_provider = providers.create_provider(
        app, providers.LOCAL_USERPASS, config={"autoConfirm": True})
    return app, password_provider


# What schema 9 added: indexes for the per-user session bound and for pruning by expiry.
SCHEMA_9_INDEXES = (("session", "session_user_id_created_at_id"),
                     ("session", "session_expires_at"),
                     ("admin_session", "admin_session_expires_at"))


SCHEMA_9_DROPPED_INDEX = "session_user_id"


def take_away_schema_9() -> None:
    """Give the database the shape of version 8 as far as version 9 goes: without the
    indexes it added. Call inside `in_database`."""
    for _, index in SCHEMA_9_INDEXES:
        storage.database.execute_sql(f'DROP INDEX IF EXISTS "{index}"')
    storage.database.execute_sql(  # the index by user alone, which version 9 drops
        f'CREATE INDEX IF NOT EXISTS "{SCHEMA_9_DROPPED_INDEX}" ON "session" (user_id)')


def index_names(table: str) -> set[str]:
    """The names of a table's indexes. Call inside `in_database`."""
    return {index.name for index in storage.database.get_indexes(table)}


# What schema 13 added: each API key's last login.
SCHEMA_13_COLUMNS = ("last_used_at", "last_used_ip", "last_used_sdk", "last_used_sdk_version",
                     "last_used_platform", "last_used_platform_version")


def take_away_schema_14() -> None:
    """Give the database the shape of version 13 as far as version 14 goes: without the
    user column it added. Call inside `in_database`."""
    storage.database.execute_sql('ALTER TABLE "user" DROP COLUMN "sessions_at_most"')


def take_away_schema_13() -> None:
    """Give the database the shape of version 12 as far as version 13 goes: without the
    key columns it added. Call inside `in_database`."""
    for column in SCHEMA_13_COLUMNS:
        storage.database.execute_sql(f'ALTER TABLE "api_key" DROP COLUMN "{column}"')
