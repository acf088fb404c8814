"""The service as the in-process tests build it, and its admins.

Here rather than in tests/conftest.py so that test modules import helpers, never a
conftest (pytest loads conftests itself; importing one runs it twice under two names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import storage
from app.domain import admin
from app.factory import create_app
from app.models import ALL_MODELS, SchemaVersion, SigningKey
from tests.support.admin_api import AdminApi
from tests.support.http import InProcess

TEST_SECRET_KEY = "test-secret-key-for-signing-tokens-only"

InProcessAdmin = AdminApi[TestResponse]


def make_app(database_url: str, instance_path: Path, **overrides: Any) -> Flask:
    """Create the app as the tests use it: fast bcrypt, fixed signing key, no bootstrap."""
    config: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "BCRYPT_ROUNDS": 4,
        "ADMIN_KEY_SCRYPT_LOG_N": 4,
        "INSTANCE_PATH": str(instance_path),
        "BOOTSTRAP_ADMIN": False,
        "ADMIN_PUBLIC_KEY": "",
        "ADMIN_PRIVATE_KEY": "",
        "PRUNE_INTERVAL_SECONDS": 0,  # tests prune when they choose (app.domain.pruning)
        # No thread per app: a test process builds hundreds (app.storage.checkpoints).
        "SQLITE_CHECKPOINT_INTERVAL_MS": 0,
        # Each entry written with its request: tests read the table itself too, and a
        # writer thread must not outlive the test's database (app.domain.app_logs).
        "APP_LOG_BATCH_MS": 0,
    }
    config.update(overrides)
    return create_app(config)


def empty_postgres_tables() -> None:
    """Empty every table of the session's PostgreSQL database but the schema version and
    the signing keys: those are made at start-up, as the schema is, and emptying them would
    leave the started app without the key it made."""
    tables = ", ".join(
        f'"{model._meta.table_name}"' for model in ALL_MODELS
        if model is not SchemaVersion and model is not SigningKey
    )
    with storage.database.connection_context():
        storage.database.execute_sql(f"TRUNCATE {tables} CASCADE")


def new_admin(app: Flask, client: FlaskClient, *groups: str) -> InProcessAdmin:
    """Create an admin key pair granted `groups` and log it in."""
    with app.app_context(), storage.database.connection_context():
        issued = admin.create_admin_key(list(groups) or ["default"])
    return AdminApi(InProcess(client), issued.admin_key.public_key,
                    issued.private_key).log_in()
