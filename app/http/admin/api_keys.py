"""Admin API: server API keys of an app."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from app.domain import api_keys, key_rolls
from app.http import app_log
from app.http.admin.lookup import app_for
from app.http.admin.schemas import ApiKeyCreateSchema, ApiKeyRollSchema
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.schemas import (
    ApiKeySchema,
    NewApiKeySchema,
    RolledApiKeySchema,
    new_key_view,
    rolled_key_view,
)
from app.http.smorest import ServiceBlueprint, operation
from app.models import ApiKey

blp = ServiceBlueprint("apikeys", __name__, description="Admin API: server API keys")

KEYS = "/groups/<string:groupId>/apps/<string:appId>/api_keys"
KEY = KEYS + "/<string:apiKeyId>"


def _key(groupId: str, appId: str, apiKeyId: str) -> ApiKey:
    api_key = api_keys.get_server_key(app_for(groupId, appId), apiKeyId)
    app_log.note_key(api_key)
    return api_key


def _logged(action: str) -> Any:
    return app_log.logged(app_log.API_KEY, action)


@blp.route(KEYS)
class ServerKeys(MethodView):
    @operation("adminListApiKeys")
    @admin_access_required
    @blp.response(200, ApiKeySchema(many=True))
    @errors(404)
    def get(self, groupId: str, appId: str) -> list[ApiKey]:
        """List the app's server API keys (never their values)."""
        return api_keys.list_server_keys(app_for(groupId, appId))

    @operation("adminCreateApiKey")
    @_logged("create")
    @admin_access_required
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, NewApiKeySchema)
    @errors(400, 404, 409)
    def post(self, body: dict[str, Any], groupId: str, appId: str) -> dict[str, object]:
        """Create a server API key and its server user. The response is the only place the
        key value ever appears: copy it now. `expires_at` (our extension) makes it expire."""
        issued = api_keys.create_server_key(app_for(groupId, appId), body["name"],
                                            body.get("expires_at"))
        app_log.note_key(issued.api_key)
        return new_key_view(issued)


@blp.route(KEY)
class ServerKey(MethodView):
    @operation("adminGetApiKey")
    @admin_access_required
    @blp.response(200, ApiKeySchema)
    @errors(404)
    def get(self, groupId: str, appId: str, apiKeyId: str) -> ApiKey:
        """Get a server API key (never its value)."""
        return _key(groupId, appId, apiKeyId)

    @operation("adminDeleteApiKey")
    @_logged("delete")
    @admin_access_required
    @blp.response(204)
    @errors(404)
    def delete(self, groupId: str, appId: str, apiKeyId: str) -> None:
        """Delete a server API key with its server user and sessions."""
        api_keys.delete_server_key(_key(groupId, appId, apiKeyId))


blp.enable_and_disable(
    KEY, find=_key, set_disabled=api_keys.set_disabled, guard=admin_access_required,
    statuses=(404,), enable=("adminEnableApiKey", "Enable a server API key (idempotent)."),
    disable=("adminDisableApiKey",
             "Disable a server API key (idempotent); the sessions it opened end."),
    logged=_logged,
)


@blp.route(KEY + "/roll", methods=["POST"], operation_id="adminRollApiKey")
@_logged("roll")
@admin_access_required
@blp.arguments(ApiKeyRollSchema, required=False)
@blp.response(200, RolledApiKeySchema)
@errors(400, 404)
def roll_key(body: dict[str, Any], groupId: str, appId: str,
             apiKeyId: str) -> dict[str, object]:
    """Extension: give a server API key a new value; the key id, its server user and the
    user's identities and custom data stay. The response is the only place the new value
    ever appears. The old value keeps logging in for `grace_period_seconds` (default 0:
    it stops at once, with the sessions it opened; otherwise they end with the grace
    period). A roll is not a new key: no limit counts it."""
    rolled = key_rolls.roll(_key(groupId, appId, apiKeyId), body["grace_period_seconds"])
    return rolled_key_view(rolled)
