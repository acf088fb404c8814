"""Client API: the logged-in user's own API keys (all with the refresh token)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from app.domain import api_keys
from app.http import app_log
from app.http.auth import client_refresh_required
from app.http.client.schemas import UserApiKeyCreateSchema
from app.http.openapi_doc import errors
from app.http.schemas import ApiKeySchema, NewApiKeySchema, new_key_view
from app.http.smorest import ServiceBlueprint, operation
from app.models import ApiKey

blp = ServiceBlueprint("client-api-keys", __name__, description="Client API: user API keys")

KEYS = "/auth/api_keys"
KEY = KEYS + "/<string:apiKeyId>"


def _own_key(apiKeyId: str) -> ApiKey:
    api_key = api_keys.get_user_key(g.caller.user, g.caller.session, apiKeyId)
    app_log.note_key(api_key)
    return api_key


def _logged(action: str) -> Any:
    return app_log.logged(app_log.API_KEY, action)


@blp.route(KEYS)
class OwnKeys(MethodView):
    @operation("clientCreateApiKey")
    @_logged("create")
    @client_refresh_required
    @blp.arguments(UserApiKeyCreateSchema)
    @blp.response(201, NewApiKeySchema)
    @errors(400, 403, 409)
    def post(self, body: dict[str, Any]) -> dict[str, object]:
        """Create a key for the logged-in user. The response is the only place the key value
        ever appears. `expires_at` (our extension) makes it expire."""
        issued = api_keys.create_user_key(g.caller.user, g.caller.session, body["name"],
                                          body.get("expires_at"))
        app_log.note_key(issued.api_key)
        return new_key_view(issued)

    @operation("clientListApiKeys")
    @client_refresh_required
    @blp.response(200, ApiKeySchema(many=True))
    @errors(403)
    def get(self) -> list[ApiKey]:
        """List the logged-in user's keys (never their values, never server keys)."""
        return api_keys.list_user_keys(g.caller.user, g.caller.session)


@blp.route(KEY)
class OwnKey(MethodView):
    @operation("clientGetApiKey")
    @client_refresh_required
    @blp.response(200, ApiKeySchema)
    @errors(403, 404)
    def get(self, apiKeyId: str) -> ApiKey:
        """Get one of the logged-in user's keys; another user's key is not found."""
        return _own_key(apiKeyId)

    @operation("clientDeleteApiKey")
    @_logged("delete")
    @client_refresh_required
    @blp.response(204)
    @errors(403, 404)
    def delete(self, apiKeyId: str) -> None:
        """Delete one of the logged-in user's keys; sessions opened with it end."""
        api_keys.delete_user_key(_own_key(apiKeyId))


blp.enable_and_disable(
    KEY, find=_own_key, set_disabled=api_keys.set_disabled, guard=client_refresh_required,
    statuses=(403, 404),
    enable=("clientEnableApiKey", "Enable one of the logged-in user's keys (idempotent)."),
    disable=("clientDisableApiKey",
             "Disable one of the logged-in user's keys (idempotent); its sessions end."),
    logged=_logged,
)
