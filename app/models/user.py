"""App users, the identities they log in with, and email/password credentials."""

import peewee

from app.models.application import App
from app.storage import BaseModel, JSONField
from app.storage.migrations import UNCOUNTED_SESSIONS


class User(BaseModel):
    app_id: str
    app = peewee.ForeignKeyField(App, backref="users", on_delete="CASCADE")
    type = peewee.CharField(max_length=16)  # "normal" or "server"
    disabled = peewee.BooleanField(default=False)
    creation_date = peewee.BigIntegerField()
    last_authentication_date = peewee.BigIntegerField(default=0)
    # At least as many sessions as the user holds: every login that opens one adds one
    # here, while the row is held, and nothing that ends sessions subtracts (so it can
    # only over-count). While it is below MAX_SESSIONS_PER_USER a login needs no count of
    # the user's sessions; when it reaches it, the login counts them, trims, and writes
    # the true figure back (app.domain.sessions). Databases from before schema 14 get a
    # value no bound reaches, so each user is counted once at its next login; that value is
    # also the column's default in the database, for a row written by other means.
    sessions_at_most = peewee.IntegerField(
        default=0, constraints=[peewee.SQL(f"DEFAULT {UNCOUNTED_SESSIONS}")])
    data = JSONField(default=dict)
    custom_data = JSONField(default=dict)
    # Assigned by the database at insert (app.storage.migrations): listings follow it, since ids
    # minted by different processes do not sort by creation. Never set it here.
    creation_order = peewee.BigIntegerField(null=True)

    class Meta:
        indexes = ((("app", "id"), False),)


class Identity(BaseModel):
    """One way a user logs in: (provider type, id within that provider)."""

    user_id: str

    user = peewee.ForeignKeyField(User, backref="identities", on_delete="CASCADE")
    app = peewee.ForeignKeyField(App, on_delete="CASCADE")
    provider_type = peewee.CharField(max_length=32)
    provider_id = peewee.CharField(max_length=24)
    external_id = peewee.CharField(max_length=64)
    created_at = peewee.BigIntegerField()

    class Meta:
        indexes = ((("app", "provider_type", "external_id"), True),)


class PasswordCredential(BaseModel):
    """An email and bcrypt hash of the `local-userpass` provider.

    As in the original, registering makes only the credential; the user and its
    identity (whose `external_id` is this row's id) appear at the first login, which
    is also what lets an anonymous user link the credential to itself instead. Until it
    is confirmed, the credential is a pending registration (`user_registrations`).
    """

    app = peewee.ForeignKeyField(App, on_delete="CASCADE")
    email = peewee.CharField(max_length=254)
    password_hash = peewee.CharField(max_length=128)
    # False while the registration waits for an admin to confirm it (a provider without
    # autoConfirm); a pending credential cannot log in.
    confirmed = peewee.BooleanField(default=True)
    creation_order = peewee.BigIntegerField(null=True)  # by the database, as User's

    class Meta:
        indexes = ((("app", "email"), True),)


class Device(BaseModel):
    """A device that logged in; its id is handed back to the SDK and reused."""

    app = peewee.ForeignKeyField(App, on_delete="CASCADE")
    info = JSONField(default=dict)  # platform, SDK and app versions, as the SDK sent them
    created_at = peewee.BigIntegerField()
    last_seen = peewee.BigIntegerField()
    # Until when a session opened from it may live (its refresh token's expiry, plus a
    # minute); None while an anonymous session, which never expires, may use it. Past it the
    # row is pruned (app.domain.pruning): scripts that describe themselves but never
    # send a device id back would otherwise add a row per login for ever. Indexed by
    # app.storage.migrations (install_device_retention_index), not here: an index declared
    # on the model would be created, at start-up, before the step that adds the column.
    keep_until = peewee.BigIntegerField(null=True)
