"""Schemas the Admin and Client APIs share: the shapes the wire contract repeats."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_dump

from app.domain.api_keys import IssuedKey
from app.domain.key_rolls import RolledKey


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


class ApiKeySchema(Schema):
    _id = fields.String(attribute="id", required=True)
    name = fields.String(required=True)
    disabled = fields.Boolean(required=True)
    # Our extension (issue 14): absent for a key that never expires, as every key of the
    # original, so the original's shape is unchanged for them.
    expires_at = fields.Integer(metadata={
        "description": "Extension: when the key expires (Unix seconds); absent when it "
                       "never does. An expired key is refused as a disabled one is."
    })

    @post_dump
    def _without_expiry_when_none(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("expires_at") is None:
            data.pop("expires_at", None)
        return data


class NewApiKeySchema(ApiKeySchema):
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
