"""The recorded schema version, so that later releases know what to migrate."""

import peewee

from app.db import database


class SchemaVersion(peewee.Model):
    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.BigIntegerField()

    class Meta:
        database = database
        table_name = "schema_version"
