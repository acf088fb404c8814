"""Admin key pairs, the groups they are granted, and their sessions."""

import peewee

from app.models.group import Group
from app.storage import BaseModel


class AdminKey(BaseModel):
    """A programmatic admin key pair. Only a salted hash of the private half is kept."""

    public_key = peewee.CharField(max_length=64, unique=True)
    # A scrypt string ("$scrypt$ln=14,r=8,p=1$salt$hash", about 90 characters; wider so
    # that stronger parameters fit later), or the 64-hex SHA-256 of older releases.
    private_key_digest = peewee.CharField(max_length=255)
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
    expires_at = peewee.BigIntegerField(index=True)  # the pruner deletes by range (schema 10)
