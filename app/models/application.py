"""Apps: everything else belongs to one."""

import peewee

from app.models.group import Group
from app.storage import BaseModel


class App(BaseModel):
    group_id: str
    group = peewee.ForeignKeyField(Group, backref="apps", on_delete="CASCADE")
    name = peewee.CharField(max_length=64)
    client_app_id = peewee.CharField(max_length=80, unique=True)
    domain_id = peewee.CharField(max_length=24)
    location = peewee.CharField(max_length=32)
    deployment_model = peewee.CharField(max_length=16)
    # Schema version 6; the defaults are what apps made before it were shown as. They are
    # the database's too (as the migration declares them), so that a row written without
    # them, by a bulk loader or an older release's SQL, is complete.
    environment = peewee.CharField(max_length=16, default="",
                                   constraints=[peewee.SQL("DEFAULT ''")])
    provider_region = peewee.CharField(max_length=32, default="aws-us-east-1",
                                       constraints=[peewee.SQL("DEFAULT 'aws-us-east-1'")])
    product = peewee.CharField(max_length=32)
    created_at = peewee.BigIntegerField()
    last_modified = peewee.BigIntegerField()
    # Lifetime of new sessions' refresh tokens; None: the server's REFRESH_TOKEN_SECONDS.
    refresh_token_seconds = peewee.BigIntegerField(null=True)

    class Meta:
        indexes = ((("group", "name"), True),)
