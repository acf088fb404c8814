"""Authentication providers of an app: at most one of each type."""

import peewee

from app.db import BaseModel, JSONField
from app.models.application import App


class AuthProvider(BaseModel):
    app_id: str

    app = peewee.ForeignKeyField(App, backref="auth_providers", on_delete="CASCADE")
    type = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=32)
    disabled = peewee.BooleanField(default=False)
    config = JSONField(default=dict)
    metadata_fields = JSONField(default=list)  # schema version 6
    created_at = peewee.BigIntegerField()

    class Meta:
        indexes = ((("app", "type"), True),)
