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

    class Meta:
        indexes = ((("user", "name"), True),)


# Server key names are unique per app; user key names per user (the index above).
ApiKey.add_index(
    ApiKey.index(ApiKey.app, ApiKey.name, unique=True, where=(ApiKey.kind == SERVER),
                 name="api_key_server_name_per_app")
)
