"""Client sessions: one row per refresh token. Deleting the row revokes the session."""

import peewee

from app.models.api_key import ApiKey
from app.models.application import App
from app.models.user import User
from app.storage import BaseModel


class Session(BaseModel):
    user_id: str
    api_key_id: str | None
    app = peewee.ForeignKeyField(App, on_delete="CASCADE")
    # Not indexed alone: the (user, created_at, id) index below serves every lookup by user
    # (schema 10 drops the index of earlier versions), and one index fewer to keep up
    # makes each login's insert, and each trim's delete, cheaper.
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE", index=False)
    device_id = peewee.CharField(max_length=24)
    provider_type = peewee.CharField(max_length=32)
    provider_id = peewee.CharField(max_length=24)
    identity_id = peewee.CharField(max_length=64)
    # Set when the session came from an API-key login: such a session may not manage keys,
    # and disabling or deleting the key ends it.
    api_key = peewee.ForeignKeyField(ApiKey, null=True, backref="sessions",
                                     on_delete="CASCADE")
    # Which of the key's values opened it (ApiKey.rolls then): a roll ends the sessions
    # of the value it retires, at once or when its grace period ends (schema 8).
    api_key_roll = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])
    created_at = peewee.BigIntegerField()
    expires_at = peewee.BigIntegerField(null=True)  # None: never (anonymous users)

    class Meta:
        # (user, created_at, id): a login trims its user's oldest sessions beyond the
        # bound, reading them newest first from this index alone (id breaks ties within a
        # second, so no sort); expires_at: the pruner deletes by range (schema 10).
        indexes = ((("user", "created_at", "id"), False), (("expires_at",), False))
