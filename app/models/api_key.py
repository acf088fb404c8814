"""API keys, server and user alike. Only a digest of the key value is kept."""

import peewee

from app.models.application import App
from app.models.user import User
from app.storage import BaseModel

SERVER = "server"
USER = "user"


class ApiKey(BaseModel):
    app_id: str
    user_id: str
    app = peewee.ForeignKeyField(App, backref="api_keys", on_delete="CASCADE")
    kind = peewee.CharField(max_length=8)  # SERVER or USER
    # A server key's own server user, or the user who owns a user key.
    user = peewee.ForeignKeyField(User, backref="api_keys", on_delete="CASCADE")
    name = peewee.CharField(max_length=64)
    digest = peewee.CharField(max_length=64, unique=True)
    disabled = peewee.BooleanField(default=False)
    created_at = peewee.BigIntegerField()
    creation_order = peewee.BigIntegerField(null=True)  # by the database, as User's
    # Schema 9 (app.domain.key_values). How many times the value was rolled: a session
    # records the roll of the value it was opened with.
    rolls = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])
    # The value before the last roll, which logs in until `previous_valid_until` (Unix
    # seconds, exclusive); both None when there is none or it stopped at the roll. Its
    # unique index is made by app.storage.migrations, not create_tables: that runs before the
    # migrations, when an older database does not have the column yet.
    previous_digest = peewee.CharField(max_length=64, null=True)
    previous_valid_until = peewee.BigIntegerField(null=True)
    expires_at = peewee.BigIntegerField(null=True)  # Unix seconds; None: never
    # Schema 13 (app.domain.key_usage): the key's last login, written at most once a
    # minute; all None until its first login. The address as the service saw it, the SDK
    # and platform as the login's device information named them (client data: shown
    # escaped, never trusted).
    last_used_at = peewee.BigIntegerField(null=True)  # Unix seconds
    last_used_ip = peewee.CharField(max_length=64, null=True)
    last_used_sdk = peewee.CharField(max_length=128, null=True)
    last_used_sdk_version = peewee.CharField(max_length=128, null=True)
    last_used_platform = peewee.CharField(max_length=128, null=True)
    last_used_platform_version = peewee.CharField(max_length=128, null=True)

    class Meta:
        indexes = ((("user", "name"), True),)


# Server key names are unique per app; user key names per user (the index above).
ApiKey.add_index(
    ApiKey.index(ApiKey.app, ApiKey.name, unique=True, where=(ApiKey.kind == SERVER),
                 name="api_key_server_name_per_app")
)
