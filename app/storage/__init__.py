"""The bottom layer: the database and everything that speaks to it in its own terms.

What the layers above use is here; the modules behind it:

- database: the late-bound proxy, connections, transactions, locks (row locks, and an
  advisory lock held for one transaction), the health ping
- urls: DATABASE_URL → the database (SQLite or PostgreSQL), bound to the proxy
- sqlite, postgres: our two adapters (prompt write-lock retries; a pool without the
  health round trip for a just-returned connection)
- ids, models: object ids, the base model and its JSON field, the schema-version table
- statements: the hot paths' queries, compiled once
- migrations: schema versions and the steps between them
- checkpoints: SQLite's write-ahead log copied back by a thread, not by requests
- background: the daemon thread each serving process starts for such a job, on first use

It imports peewee and app.clock (ids carry the time), nothing above it.
"""

from app.storage.database import (
    CONNECTION_ERRORS,
    DATABASE_ERRORS,
    close_all,
    database,
    discard_connection,
    is_sqlite,
    lock_for_update,
    open_connection,
    ping,
    release_connection,
    try_transaction_lock,
    write_transaction,
)
from app.storage.ids import is_object_id, new_object_id
from app.storage.migrations import (
    SCHEMA_VERSION,
    SchemaTooNew,
    ensure_schema,
    recorded_schema_version,
)
from app.storage.models import BaseModel, JSONField, SchemaVersion
from app.storage.urls import connect_database

__all__ = [
    "CONNECTION_ERRORS",
    "DATABASE_ERRORS",
    "SCHEMA_VERSION",
    "BaseModel",
    "JSONField",
    "SchemaTooNew",
    "SchemaVersion",
    "close_all",
    "connect_database",
    "database",
    "discard_connection",
    "ensure_schema",
    "is_object_id",
    "is_sqlite",
    "lock_for_update",
    "new_object_id",
    "open_connection",
    "ping",
    "recorded_schema_version",
    "release_connection",
    "try_transaction_lock",
    "write_transaction",
]
