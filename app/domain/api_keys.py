"""API keys: server keys (an admin's, each with its own server user) and user keys.

The limits ("up to 100 server API keys per app", "up to 20 user API keys" per user)
are checked and written in one transaction that first locks the owner row, so that
concurrent creators, even on different servers sharing one PostgreSQL, queue behind
each other and can never exceed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import peewee

from app import clock
from app.domain import key_values, keys, providers, users
from app.domain.errors import (
    APIKeyAlreadyExists,
    APIKeyNotFound,
    Forbidden,
    InvalidParameter,
    LimitExceeded,
    ProviderDisabled,
)
from app.domain.ids import get_or_raise
from app.models import ApiKey, App, Identity, Session, User
from app.models.api_key import SERVER, USER
from app.storage import lock_for_update, new_object_id, write_transaction
from app.storage.statements import Select

SERVER_KEY_LIMIT = 100
USER_KEY_LIMIT = 20
NAME_MAX_LENGTH = 64
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
# The original's words, which SDKs compare: realm-dotnet and realm-dart check that the
# message contains them, realm-kotlin that it starts with them (it turns this error into
# an IllegalArgumentException by the text).
NAME_RULE = "can only contain ASCII letters, numbers, underscores, and hyphens"
# The original's words too: realm-dart's tests check that a 409 says this.
DUPLICATE_NAME = "API key with name already exists"

# The key listings, in creation order (numbered by the database: app.storage.migrations),
# compiled once (app.storage.statements).
_SERVER_KEYS_OF_APP = Select(
    [ApiKey],
    lambda p: ApiKey.select().where((ApiKey.app == p.app) & (ApiKey.kind == SERVER))
    .order_by(ApiKey.creation_order),
    app=ApiKey.app,
)
_USER_KEYS_OF_USER = Select(
    [ApiKey],
    lambda p: ApiKey.select().where((ApiKey.user == p.user) & (ApiKey.kind == USER))
    .order_by(ApiKey.creation_order),
    user=ApiKey.user,
)


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its value. The value exists here, once, and is stored nowhere."""

    api_key: ApiKey
    key: str


def validate_name(name: str) -> None:
    """Key names: 1-64 characters of letters, digits, '_' and '-'."""
    if not name:
        raise InvalidParameter("API key name must not be empty")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidParameter(f"API key name must be at most {NAME_MAX_LENGTH} characters")
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidParameter(NAME_RULE)


def _duplicate() -> APIKeyAlreadyExists:
    return APIKeyAlreadyExists(DUPLICATE_NAME)


def create_server_key(app: App, name: str, expires_at: object = None) -> IssuedKey:
    """Create a server key and its server user in one transaction.

    `expires_at` (Unix seconds, in the future) makes the key expire; None: never.
    """
    validate_name(name)
    now = clock.timestamp()
    expires_at = key_values.validate_expiry(expires_at, now)
    secret = keys.generate(keys.API_KEY_PREFIX)
    try:
        with write_transaction():
            lock_for_update(App.select().where(App.id == app.id)).execute()
            provider = providers.require_enabled(app, providers.API_KEY)
            if provider is None:
                raise ProviderDisabled(
                    "the api-key auth provider is disabled; enable it before creating API keys"
                )
            server_keys = ApiKey.select().where((ApiKey.app == app) & (ApiKey.kind == SERVER))
            if server_keys.count() >= SERVER_KEY_LIMIT:
                raise LimitExceeded(
                    f"an app can have at most {SERVER_KEY_LIMIT} server API keys"
                )
            if server_keys.where(ApiKey.name == name).exists():
                raise _duplicate()
            key_id = new_object_id()
            server_user, _identity = users.create_with_identity(
                app, provider, key_id, user_type="server", data={"name": name}, now=now)
            api_key = ApiKey.create(
                id=key_id, app=app, kind=SERVER, user=server_user, name=name,
                digest=keys.digest(secret), created_at=now, expires_at=expires_at,
            )
    except peewee.IntegrityError:  # the unique name index, should a writer slip past
        raise _duplicate() from None
    return IssuedKey(api_key, secret)


def list_server_keys(app: App) -> list[ApiKey]:
    """Return the app's server keys, oldest first."""
    return [api_key for api_key, in _SERVER_KEYS_OF_APP.rows(app=app)]


def get_server_key(app: App, key_id: str) -> ApiKey:
    """Return the app's server key with `key_id`."""
    return get_or_raise(
        ApiKey.select().where((ApiKey.app == app) & (ApiKey.kind == SERVER)), key_id,
        APIKeyNotFound,
    )


def delete_server_key(api_key: ApiKey) -> None:
    """Delete a server key with its server user, identity and sessions."""
    with write_transaction():
        User.delete().where(User.id == api_key.user_id).execute()  # cascades to the key


def _lock_owner(api_key: ApiKey) -> None:
    # Logins take their user's row before they open a session (app.domain.sessions):
    # taking it first makes a login racing this change either see it or be ended by it.
    lock_for_update(User.select().where(User.id == api_key.user_id)).execute()


def set_disabled(api_key: ApiKey, disabled: bool) -> None:
    """Enable or disable a key (idempotent). Disabling ends the sessions it opened."""
    with write_transaction():
        _lock_owner(api_key)
        ApiKey.update(disabled=disabled).where(ApiKey.id == api_key.id).execute()
        if disabled:
            Session.delete().where(Session.api_key == api_key.id).execute()
    api_key.disabled = disabled


# --- user keys -----------------------------------------------------------------------


def _check_may_manage_keys(user: User, session: Session) -> None:
    if user.type != "normal" or _is_anonymous(user):
        raise Forbidden("API keys belong to non-anonymous users; this user cannot own one")
    if session.api_key_id is not None:
        raise Forbidden("a session opened with an API key cannot manage API keys")


def _is_anonymous(user: User) -> bool:
    types = {identity.provider_type for identity in users.identities_of(user)}
    return types <= {providers.ANON_USER}


def create_user_key(user: User, session: Session, name: str,
                    expires_at: object = None) -> IssuedKey:
    """Create a key for `user` (not anonymous, not signed in with a key); at most 20.

    `expires_at` as for server keys.
    """
    validate_name(name)
    _check_may_manage_keys(user, session)
    now = clock.timestamp()
    expires_at = key_values.validate_expiry(expires_at, now)
    secret = keys.generate(keys.API_KEY_PREFIX)
    try:
        with write_transaction():
            lock_for_update(User.select().where(User.id == user.id)).execute()
            if providers.require_enabled(user.app, providers.API_KEY) is None:
                raise ProviderDisabled(
                    "the api-key auth provider is disabled; ask the app's admin to enable it"
                )
            user_keys = ApiKey.select().where((ApiKey.user == user) & (ApiKey.kind == USER))
            if user_keys.count() >= USER_KEY_LIMIT:
                raise LimitExceeded(f"a user can have at most {USER_KEY_LIMIT} API keys")
            if user_keys.where(ApiKey.name == name).exists():
                raise _duplicate()
            api_key = ApiKey.create(
                id=new_object_id(), app=user.app_id, kind=USER, user=user, name=name,
                digest=keys.digest(secret), created_at=now, expires_at=expires_at,
            )
    except peewee.IntegrityError:
        raise _duplicate() from None
    return IssuedKey(api_key, secret)


def list_user_keys(user: User, session: Session) -> list[ApiKey]:
    """Return the user's own keys, oldest first (never server keys)."""
    _check_may_manage_keys(user, session)
    return [api_key for api_key, in _USER_KEYS_OF_USER.rows(user=user)]


def get_user_key(user: User, session: Session, key_id: str) -> ApiKey:
    """Return the user's key with `key_id`; another user's key is not found, like a missing one."""
    _check_may_manage_keys(user, session)
    return get_or_raise(
        ApiKey.select().where((ApiKey.user == user) & (ApiKey.kind == USER)), key_id,
        APIKeyNotFound,
    )


def delete_user_key(api_key: ApiKey) -> None:
    """Delete a user key; the sessions it opened end with it."""
    with write_transaction():
        _lock_owner(api_key)
        Identity.delete().where(
            (Identity.user == api_key.user_id)
            & (Identity.provider_type == providers.API_KEY)
            & (Identity.external_id == api_key.id)
        ).execute()
        api_key.delete_instance()  # sessions cascade


@dataclass(frozen=True)
class KeyCount:
    """How many keys of one kind an app holds."""

    app_id: str
    kind: str  # SERVER or USER
    count: int


def count_per_app(most_apps: int) -> list[KeyCount]:
    """The number of keys of each kind per app, for the `most_apps` apps with most keys of
    a kind (the metrics' gauge: bounded, whatever the number of apps). One grouped read."""
    count = peewee.fn.COUNT(ApiKey.id)
    rows = (ApiKey.select(ApiKey.app, ApiKey.kind, count)
            .group_by(ApiKey.app, ApiKey.kind)
            .order_by(count.desc(), ApiKey.app, ApiKey.kind)
            .limit(most_apps).tuples())
    return [KeyCount(str(app_id), str(kind), int(n)) for app_id, kind, n in rows.iterator()]
