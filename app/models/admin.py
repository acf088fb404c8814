"""Admin key pairs, the groups they are granted, and their sessions."""

import peewee

from app.db import BaseModel
from app.models.group import Group


class AdminKey(BaseModel):
    """A programmatic admin key pair. Only a digest of the private half is kept."""

    public_key = peewee.CharField(max_length=64, unique=True)
    private_key_digest = peewee.CharField(max_length=64)
    description = peewee.CharField(max_length=256, default="")
    disabled = peewee.BooleanField(default=False)
    created_at = peewee.BigIntegerField()


class AdminKeyGroup(BaseModel):
    admin_key = peewee.ForeignKeyField(AdminKey, backref="grants", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="grants", on_delete="CASCADE")

    class Meta:
        indexes = ((("admin_key", "group"), True),)


class AdminSession(BaseModel):
    """A refresh token of the Admin API; deleting the row revokes its tokens."""

    admin_key = peewee.ForeignKeyField(AdminKey, backref="sessions", on_delete="CASCADE")
    created_at = peewee.BigIntegerField()
    expires_at = peewee.BigIntegerField()
