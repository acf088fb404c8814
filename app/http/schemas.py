"""Schemas the Admin and Client APIs share: the shapes the wire contract repeats."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields

from app.domain.api_keys import IssuedKey


class RequestSchema(Schema):
    """What a request may carry, in either API. The rule for a field it does not declare
    (README, "Request bodies"): it is ignored, as the original ignores it. Real clients
    send fields beyond the official document (realm-js' importer creates apps with
    `sync`, SDKs describe their device), and refusing one would break a client for
    nothing. What is declared is typed strictly: a wrong type is a 400."""

    class Meta:
        unknown = EXCLUDE


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


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(required=True, metadata={
        "description": "The key value. This response is the only place it ever appears."
    })


def new_key_view(issued: IssuedKey) -> dict[str, Any]:
    """The one response that carries a key's value (see NewApiKeySchema)."""
    return {"id": issued.api_key.id, "key": issued.key, "name": issued.api_key.name,
            "disabled": issued.api_key.disabled}
