"""The base of every model, its JSON field, and the table of schema versions."""

from __future__ import annotations

import json
from typing import Any

import peewee

from app.storage.database import database
from app.storage.ids import new_object_id


class JSONField(peewee.TextField):
    """A JSON document kept as text, so that SQLite and PostgreSQL store it alike."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    """Base of every model: ids are ObjectId-shaped strings, bound to the shared proxy."""

    id = peewee.CharField(primary_key=True, max_length=24, default=new_object_id)

    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(peewee.Model):
    """One row per schema version applied (app.storage.migrations)."""

    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.BigIntegerField()

    class Meta:
        database = database
        table_name = "schema_version"
