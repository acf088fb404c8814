"""Schemas the Admin and Client APIs share: the shapes the wire contract repeats."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_dump

from app.domain import key_usage
from app.domain.api_keys import IssuedKey
from app.domain.key_rolls import RolledKey
from app.models import ApiKey


class RequestSchema(Schema):
    """What a request may carry, in either API. The rule for a field it does not declare
    (docs, "Request bodies"): it is ignored, as the original ignores it. Real clients
    send fields beyond the official document (realm-js' importer creates apps with
    `sync`, SDKs describe their device), and refusing one would break a client for
    nothing. What is declared is typed strictly: a wrong type is a 400."""

    class Meta:
        unknown = EXCLUDE


# A key's optional expiry in a creation body (validated by app.domain.key_values).
EXPIRES_AT: dict[str, Any] = {
    "type": "integer", "nullable": True,
    "description": "Extension: when the key expires, in Unix seconds (after now, at most "
                   "the end of year 9999); absent or null: it never expires",
}


class AccessTokenSchema(Schema):
    access_token = fields.String(required=True)


class SessionTokensSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    user_id = fields.String(required=True)
    device_id = fields.String(required=True)


class IdentitySchema(Schema):
    id = fields.String(required=True)
    provider_type = fields.String(required=True)
    provider_id = fields.String(required=True)


class LastUsedSchema(Schema):
    class Meta:
        description = (
            "Extension: the key's last login, recorded at most once a minute. A field the "
            "login did not tell is absent. The SDK and platform are what the login's "
            "`options.device` said: the client's words, not checked."
        )

    date = fields.Integer(required=True, metadata={"description": "Unix seconds"})
    ip_address = fields.String(metadata={
        "description": "The client's address (behind TRUSTED_PROXY_HOPS proxies, the one "
                       "they forwarded)"})
    sdk_name = fields.String(metadata={"description": "`options.device.sdk`"})
    sdk_version = fields.String(metadata={"description": "`options.device.sdkVersion`"})
    platform = fields.String(metadata={"description": "`options.device.platform`"})
    platform_version = fields.String(metadata={
        "description": "`options.device.platformVersion`"})

    @post_dump
    def _only_what_was_told(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {name: value for name, value in data.items() if value is not None}


class ApiKeySchema(Schema):
    _id = fields.String(attribute="id", required=True)
    name = fields.String(required=True)
    disabled = fields.Boolean(required=True)
    # Our extensions (issues 14, 15): absent for a key that never expires and one that
    # never logged in, as every key of the original, so the original's shape is unchanged
    # for them.
    expires_at = fields.Integer(metadata={
        "description": "Extension: when the key expires (Unix seconds); absent when it "
                       "never does. An expired key is refused as a disabled one is."
    })
    last_used = fields.Nested(LastUsedSchema, metadata={
        "description": "Extension: the key's last login; absent until its first one"})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        # A key's row keeps its last use in columns of its own (app.domain.key_usage).
        if attr == "last_used" and isinstance(obj, ApiKey):
            return key_usage.last_used(obj)
        return super().get_attribute(obj, attr, default)

    @post_dump
    def _without_extensions_when_none(self, data: dict[str, Any], **_: Any
                                      ) -> dict[str, Any]:
        for extension in ("expires_at", "last_used"):
            if data.get(extension) is None:
                data.pop(extension, None)
        return data


class NewApiKeySchema(ApiKeySchema):
    class Meta:
        exclude = ("last_used",)  # a new value has not logged in yet

    key = fields.String(required=True, metadata={
        "description": "The key value. This response is the only place it ever appears."
    })


class RolledApiKeySchema(NewApiKeySchema):
    previous_key_valid_until = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Until when the value before the roll still logs in (Unix seconds, "
                       "exclusive); null when it stopped at the roll (no grace period)."
    })

    @post_dump
    def _grace_end_even_when_none(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data.setdefault("previous_key_valid_until", None)
        return data


def new_key_view(issued: IssuedKey) -> dict[str, Any]:
    """The one response that carries a key's value (see NewApiKeySchema)."""
    return {"id": issued.api_key.id, "key": issued.key, "name": issued.api_key.name,
            "disabled": issued.api_key.disabled, "expires_at": issued.api_key.expires_at}


def rolled_key_view(rolled: RolledKey) -> dict[str, Any]:
    """The answer to a roll: the key with its new value, shown only here (as at creation),
    and the end of the old value's grace period."""
    api_key = rolled.api_key
    return {"id": api_key.id, "key": rolled.key, "name": api_key.name,
            "disabled": api_key.disabled, "expires_at": api_key.expires_at,
            "previous_key_valid_until": rolled.previous_valid_until}
