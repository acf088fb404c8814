"""Authentication providers: one of each type per app, named after their type.

The seed page: "The name of an authentication provider is always the same as its type",
and "The API Key authentication provider does not have any configuration options".
"""

from __future__ import annotations

from typing import Any

import peewee

from app import clock
from app.domain import text
from app.domain.errors import (
    AuthProviderAlreadyExists,
    AuthProviderNotFound,
    InvalidParameter,
)
from app.domain.ids import get_or_raise
from app.models import App, AuthProvider, Session
from app.storage import lock_for_update, new_object_id, write_transaction
from app.storage.statements import Select

API_KEY = "api-key"
ANON_USER = "anon-user"
LOCAL_USERPASS = "local-userpass"
TYPES = (API_KEY, ANON_USER, LOCAL_USERPASS)

# Every login looks its provider up: compiled once (app.storage.statements).
_PROVIDER_OF_TYPE = Select(
    [AuthProvider],
    lambda p: AuthProvider.select()
    .where((AuthProvider.app == p.app) & (AuthProvider.type == p.type)).limit(1),
    app=AuthProvider.app, type=AuthProvider.type,
)

# The configuration each type accepts, with the JSON type of each field.
_CONFIG_FIELDS: dict[str, dict[str, type]] = {
    API_KEY: {},
    ANON_USER: {},
    LOCAL_USERPASS: {
        "autoConfirm": bool,
        "emailConfirmationUrl": str,
        "confirmEmailSubject": str,
        "runConfirmationFunction": bool,
        "confirmationFunctionName": str,
        "confirmationFunctionId": str,
        "resetPasswordUrl": str,
        "resetPasswordSubject": str,
        "runResetFunction": bool,
        "resetFunctionName": str,
        "resetFunctionId": str,
    },
}


def validate_type(provider_type: str) -> None:
    """Refuse a provider type this service does not implement."""
    if provider_type not in TYPES:
        raise InvalidParameter(
            f"unsupported auth provider type '{provider_type}'; supported types: "
            + ", ".join(TYPES)
        )


def validate_name(provider_type: str, name: str) -> None:
    """A provider's name is always its type."""
    if name != provider_type:
        raise InvalidParameter(
            f"auth provider name must be the same as its type: expected name "
            f"'{provider_type}', got '{name}'"
        )


def validate_config(provider_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """Check `config` against what `provider_type` accepts; return it unchanged."""
    allowed = _CONFIG_FIELDS[provider_type]
    if not allowed and config:
        raise InvalidParameter(
            f"the '{provider_type}' provider has no configuration options; "
            f"'config' must be empty, got fields: {', '.join(sorted(config))}"
        )
    for field, value in config.items():
        if field not in allowed:
            raise InvalidParameter(
                f"unknown config field '{field}' for the '{provider_type}' provider; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
        if not isinstance(value, allowed[field]):
            raise InvalidParameter(
                f"config field '{field}' must be a {allowed[field].__name__}"
            )
        if isinstance(value, str):  # URLs and email subjects: a CR LF would split a header
            text.refuse_control_characters(value, f"config.{field}")
    return config


def validate_metadata_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the user data a provider's logins would copy; return it in the stored form.

    Each entry names a field of the identity's data (`name`), whether a login needs it
    (`required`, false when not said) and, optionally, the user data field it goes to
    (`field_name`). They are kept and shown; the three providers here bring no such data.
    """
    stored: list[dict[str, Any]] = []
    for index, entry in enumerate(fields):
        name = entry.get("name")
        required = entry.get("required", False)
        field_name = entry.get("field_name")
        if not isinstance(name, str) or not name:
            raise InvalidParameter(f"metadata_fields.{index}.name must be a non-empty string")
        if not isinstance(required, bool):
            raise InvalidParameter(f"metadata_fields.{index}.required must be a boolean")
        text.refuse_control_characters(name, f"metadata_fields.{index}.name")
        kept: dict[str, Any] = {"required": required, "name": name}
        if field_name is not None:
            if not isinstance(field_name, str):
                raise InvalidParameter(f"metadata_fields.{index}.field_name must be a string")
            text.refuse_control_characters(field_name, f"metadata_fields.{index}.field_name")
            kept["field_name"] = field_name
        stored.append(kept)
    return stored


def add_default_providers(app: App) -> AuthProvider:
    """Give a new app its `api-key` provider, present but disabled.

    Both SDK test harnesses rely on a new app having it in exactly that state.
    """
    return AuthProvider.create(
        id=new_object_id(), app=app, type=API_KEY, name=API_KEY, disabled=True, config={},
        created_at=clock.timestamp(),
    )


def list_providers(app: App) -> list[AuthProvider]:
    """Return the app's providers, oldest first."""
    return list(AuthProvider.select().where(AuthProvider.app == app).order_by(AuthProvider.id))


def get_provider(app: App, provider_id: str) -> AuthProvider:
    """Return the app's provider with `provider_id`."""
    return get_or_raise(AuthProvider.select().where(AuthProvider.app == app), provider_id,
                        AuthProviderNotFound)


def find_provider(app: App, provider_type: str) -> AuthProvider | None:
    """Return the app's provider of `provider_type`, if it has one."""
    row = _PROVIDER_OF_TYPE.first(app=app, type=provider_type)
    return None if row is None else row[0]


def create_provider(
    app: App,
    provider_type: str,
    *,
    name: str | None = None,
    disabled: bool = False,
    config: dict[str, Any] | None = None,
    metadata_fields: list[dict[str, Any]] | None = None,
) -> AuthProvider:
    """Add a provider of `provider_type` to the app; one of each type at most."""
    validate_type(provider_type)
    validate_name(provider_type, provider_type if name is None else name)
    config = validate_config(provider_type, config or {})
    metadata = validate_metadata_fields(metadata_fields or [])
    try:
        with write_transaction():
            if find_provider(app, provider_type) is not None:
                raise _already_exists(provider_type)
            return AuthProvider.create(
                id=new_object_id(), app=app, type=provider_type, name=provider_type,
                disabled=disabled, config=config, metadata_fields=metadata,
                created_at=clock.timestamp(),
            )
    except peewee.IntegrityError:  # a concurrent creator won
        raise _already_exists(provider_type) from None


def _already_exists(provider_type: str) -> AuthProviderAlreadyExists:
    return AuthProviderAlreadyExists(
        f"the app already has a '{provider_type}' provider; an app has at most one of each type"
    )


def update_provider(
    provider: AuthProvider,
    *,
    name: str | None = None,
    provider_type: str | None = None,
    disabled: bool | None = None,
    config: dict[str, Any] | None = None,
    metadata_fields: list[dict[str, Any]] | None = None,
    provider_id: str | None = None,
) -> AuthProvider:
    """Change a provider's `disabled` flag, configuration or metadata fields; its type
    and name stay.

    `provider_id` is the `_id` a client sent with the change (realm-js' app importer
    sends back the whole provider): it must be this provider's.
    """
    if provider_id is not None and provider_id != provider.id:
        raise InvalidParameter(
            f"'_id' must be the _id of the auth provider the path names ({provider.id}), "
            "or be left out: a provider's _id cannot be changed"
        )
    if provider_type is not None and provider_type != provider.type:
        raise InvalidParameter("an auth provider's type cannot be changed; create another")
    if name is not None:
        validate_name(provider.type, name)
    if config is not None:
        provider.config = validate_config(provider.type, config)
    if metadata_fields is not None:
        provider.metadata_fields = validate_metadata_fields(metadata_fields)
    with write_transaction():
        if disabled is not None:
            _switch(provider, disabled)
        provider.save()
    return provider


def set_disabled(provider: AuthProvider, disabled: bool) -> None:
    """Enable or disable a provider (idempotent). Disabling ends the sessions it opened."""
    with write_transaction():
        _switch(provider, disabled)
        provider.save()


def _switch(provider: AuthProvider, disabled: bool) -> None:
    """Set `disabled`, ending the provider's sessions when it goes off and when it comes
    back on. A disabled provider has no sessions but those of logins that raced its
    disabling (refused on use meanwhile): enabling it again must not bring them back."""
    was_disabled = lock_for_update(
        AuthProvider.select(AuthProvider.disabled).where(AuthProvider.id == provider.id)
    ).scalar()
    provider.disabled = disabled
    if disabled or was_disabled:
        _end_sessions(provider)


def delete_provider(provider: AuthProvider) -> None:
    """Remove a provider and end its sessions; its users stay, but can no longer log in
    through it."""
    with write_transaction():
        provider.delete_instance()
        _end_sessions(provider)


def _end_sessions(provider: AuthProvider) -> None:
    # Stricter than the original, which let them run on: an admin who turns a way of
    # logging in off means the logins it gave too. A token of a session that a racing
    # login opened meanwhile is refused on use (app.domain.sessions).
    Session.delete().where(
        (Session.app == provider.app_id) & (Session.provider_id == provider.id)
    ).execute()


def require_enabled(app: App, provider_type: str) -> AuthProvider | None:
    """Return the app's provider of `provider_type` when it is enabled, else None."""
    provider = find_provider(app, provider_type)
    if provider is None or provider.disabled:
        return None
    return provider
