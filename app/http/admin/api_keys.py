"""Admin API: server API keys of an app."""

from __future__ import annotations

from app.domain import api_keys
from app.http.admin.lookup import app_for
from app.http.admin.schemas import ApiKeyCreateSchema
from app.http.auth import admin_access_required
from app.http.docs import errors
from app.http.schemas import ApiKeySchema, NewApiKeySchema, new_key_view
from app.http.smorest import ServiceBlueprint
from app.models import ApiKey

blp = ServiceBlueprint("admin-api-keys", __name__, description="Admin API: server API keys")

KEYS = "/groups/<string:group_id>/apps/<string:app_id>/api_keys"
KEY = KEYS + "/<string:api_key_id>"


def _key(group_id: str, app_id: str, api_key_id: str) -> ApiKey:
    return api_keys.get_server_key(app_for(group_id, app_id), api_key_id)


@blp.route(KEYS, methods=["GET"])
@admin_access_required
@blp.response(200, ApiKeySchema(many=True))
@errors(404)
def list_keys(group_id: str, app_id: str) -> list[ApiKey]:
    """List the app's server API keys (never their values)."""
    return api_keys.list_server_keys(app_for(group_id, app_id))


@blp.route(KEYS, methods=["POST"])
@admin_access_required
@blp.arguments(ApiKeyCreateSchema)
@blp.response(201, NewApiKeySchema)
@errors(400, 404, 409)
def create_key(body: dict[str, str], group_id: str, app_id: str) -> dict[str, object]:
    """Create a server API key and its server user. The response is the only place the
    key value ever appears: copy it now."""
    issued = api_keys.create_server_key(app_for(group_id, app_id), body["name"])
    return new_key_view(issued)


@blp.route(KEY, methods=["GET"])
@admin_access_required
@blp.response(200, ApiKeySchema)
@errors(404)
def get_key(group_id: str, app_id: str, api_key_id: str) -> ApiKey:
    """Get a server API key (never its value)."""
    return _key(group_id, app_id, api_key_id)


@blp.route(KEY, methods=["DELETE"])
@admin_access_required
@blp.response(204)
@errors(404)
def delete_key(group_id: str, app_id: str, api_key_id: str) -> None:
    """Delete a server API key with its server user and sessions."""
    api_keys.delete_server_key(_key(group_id, app_id, api_key_id))


@blp.route(KEY + "/enable", methods=["PUT"])
@admin_access_required
@blp.response(204)
@errors(404)
def enable_key(group_id: str, app_id: str, api_key_id: str) -> None:
    """Enable a server API key (idempotent)."""
    api_keys.set_disabled(_key(group_id, app_id, api_key_id), False)


@blp.route(KEY + "/disable", methods=["PUT"])
@admin_access_required
@blp.response(204)
@errors(404)
def disable_key(group_id: str, app_id: str, api_key_id: str) -> None:
    """Disable a server API key (idempotent); the sessions it opened end."""
    api_keys.set_disabled(_key(group_id, app_id, api_key_id), True)
