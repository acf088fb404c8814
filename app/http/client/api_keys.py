"""Client API: the logged-in user's own API keys (all with the refresh token)."""

from __future__ import annotations

from typing import Any

from flask import g

from app.domain import api_keys
from app.http.auth import client_refresh_required
from app.http.client.schemas import UserApiKeyCreateSchema
from app.http.docs import errors
from app.http.schemas import ApiKeySchema, NewApiKeySchema, new_key_view
from app.http.smorest import ServiceBlueprint
from app.models import ApiKey

blp = ServiceBlueprint("client-api-keys", __name__, description="Client API: user API keys")

KEYS = "/auth/api_keys"
KEY = KEYS + "/<string:apiKeyId>"


def _own_key(api_key_id: str) -> ApiKey:
    return api_keys.get_user_key(g.caller.user, g.caller.session, api_key_id)


@blp.route(KEYS, methods=["POST"], operation_id="clientCreateApiKey")
@client_refresh_required
@blp.arguments(UserApiKeyCreateSchema)
@blp.response(201, NewApiKeySchema)
@errors(400, 403, 409)
def create_key(body: dict[str, Any]) -> dict[str, object]:
    """Create a key for the logged-in user. The response is the only place the key value
    ever appears. `expires_at` (our extension) makes it expire."""
    issued = api_keys.create_user_key(g.caller.user, g.caller.session, body["name"],
                                      body.get("expires_at"))
    return new_key_view(issued)


@blp.route(KEYS, methods=["GET"], operation_id="clientListApiKeys")
@client_refresh_required
@blp.response(200, ApiKeySchema(many=True))
@errors(403)
def list_keys() -> list[ApiKey]:
    """List the logged-in user's keys (never their values, never server keys)."""
    return api_keys.list_user_keys(g.caller.user, g.caller.session)


@blp.route(KEY, methods=["GET"], operation_id="clientGetApiKey")
@client_refresh_required
@blp.response(200, ApiKeySchema)
@errors(403, 404)
def get_key(apiKeyId: str) -> ApiKey:
    """Get one of the logged-in user's keys; another user's key is not found."""
    return _own_key(apiKeyId)


@blp.route(KEY, methods=["DELETE"], operation_id="clientDeleteApiKey")
@client_refresh_required
@blp.response(204)
@errors(403, 404)
def delete_key(apiKeyId: str) -> None:
    """Delete one of the logged-in user's keys; sessions opened with it end."""
    api_keys.delete_user_key(_own_key(apiKeyId))


@blp.route(KEY + "/enable", methods=["PUT"], operation_id="clientEnableApiKey")
@client_refresh_required
@blp.response(204)
@errors(403, 404)
def enable_key(apiKeyId: str) -> None:
    """Enable one of the logged-in user's keys (idempotent)."""
    api_keys.set_disabled(_own_key(apiKeyId), False)


@blp.route(KEY + "/disable", methods=["PUT"], operation_id="clientDisableApiKey")
@client_refresh_required
@blp.response(204)
@errors(403, 404)
def disable_key(apiKeyId: str) -> None:
    """Disable one of the logged-in user's keys (idempotent); its sessions end."""
    api_keys.set_disabled(_own_key(apiKeyId), True)
