"""Authentication providers of an app: at most one of each type."""

import peewee

from app.models.application import App
from app.storage import BaseModel, JSONField


class AuthProvider(BaseModel):
    app_id: str

    app = peewee.ForeignKeyField(App, backref="auth_providers", on_delete="CASCADE")
    type = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=32)
    disabled = peewee.BooleanField(default=False)
    config = JSONField(default=dict)
    # Schema version 6, with the database default the migration gives it (App's columns).
    metadata_fields = JSONField(default=list, constraints=[peewee.SQL("DEFAULT '[]'")])
    created_at = peewee.BigIntegerField()

    class Meta:
        indexes = ((("app", "type"), True),)
