"""Admin API: authentication providers of an app."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from app.domain import providers
from app.http.admin.lookup import app_for
from app.http.admin.schemas import (
    ProviderCreateSchema,
    ProviderPatchSchema,
    ProviderSchema,
    ProviderSummarySchema,
)
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint, operation
from app.models import AuthProvider

blp = ServiceBlueprint("authproviders", __name__,
                       description="Admin API: authentication providers")

PROVIDERS = "/groups/<string:groupId>/apps/<string:appId>/auth_providers"
PROVIDER = PROVIDERS + "/<string:providerId>"


def _provider(groupId: str, appId: str, providerId: str) -> AuthProvider:
    return providers.get_provider(app_for(groupId, appId), providerId)


@blp.route(PROVIDERS)
class Providers(MethodView):
    @operation("adminListAuthProviders")
    @admin_access_required
    @blp.response(200, ProviderSummarySchema(many=True))
    @errors(404)
    def get(self, groupId: str, appId: str) -> list[AuthProvider]:
        """List the app's authentication providers."""
        return providers.list_providers(app_for(groupId, appId))

    @operation("adminCreateAuthProvider")
    @admin_access_required
    @blp.arguments(ProviderCreateSchema)
    @blp.response(201, ProviderSchema)
    @errors(400, 404, 409)
    def post(self, body: dict[str, Any], groupId: str, appId: str) -> AuthProvider:
        """Add a provider. Its name must equal its type; one provider of each type per app."""
        return providers.create_provider(
            app_for(groupId, appId), body["type"], name=body.get("name"),
            disabled=body["disabled"], config=body["config"],
            metadata_fields=body.get("metadata_fields"),
        )


@blp.route(PROVIDER)
class Provider(MethodView):
    @operation("adminGetAuthProvider")
    @admin_access_required
    @blp.response(200, ProviderSchema)
    @errors(404)
    def get(self, groupId: str, appId: str, providerId: str) -> AuthProvider:
        """Get a provider with its configuration."""
        return _provider(groupId, appId, providerId)

    @operation("adminUpdateAuthProvider")
    @admin_access_required
    @blp.arguments(ProviderPatchSchema)
    @blp.response(204)
    @errors(400, 404)
    def patch(self, body: dict[str, Any], groupId: str, appId: str, providerId: str) -> None:
        """Change a provider's `disabled` flag, configuration or metadata fields (its name,
        type and `_id` stay)."""
        providers.update_provider(
            _provider(groupId, appId, providerId), name=body.get("name"),
            provider_type=body.get("type"), disabled=body.get("disabled"),
            config=body.get("config"), metadata_fields=body.get("metadata_fields"),
            provider_id=body.get("_id"),
        )

    @operation("adminDeleteAuthProvider")
    @admin_access_required
    @blp.response(204)
    @errors(404)
    def delete(self, groupId: str, appId: str, providerId: str) -> None:
        """Remove a provider; its users stay but cannot log in through it."""
        providers.delete_provider(_provider(groupId, appId, providerId))


blp.enable_and_disable(
    PROVIDER, find=_provider, set_disabled=providers.set_disabled,
    guard=admin_access_required, statuses=(404,),
    enable=("adminEnableAuthProvider", "Enable a provider (idempotent)."),
    disable=("adminDisableAuthProvider",
             "Disable a provider (idempotent); logins through it are refused."),
)
