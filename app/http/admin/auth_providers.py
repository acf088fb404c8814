"""Admin API: authentication providers of an app."""

from __future__ import annotations

from typing import Any

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
from app.http.smorest import ServiceBlueprint
from app.models import AuthProvider

blp = ServiceBlueprint("authproviders", __name__,
                       description="Admin API: authentication providers")

PROVIDERS = "/groups/<string:groupId>/apps/<string:appId>/auth_providers"
PROVIDER = PROVIDERS + "/<string:providerId>"


@blp.route(PROVIDERS, methods=["GET"], operation_id="adminListAuthProviders")
@admin_access_required
@blp.response(200, ProviderSummarySchema(many=True))
@errors(404)
def list_providers(groupId: str, appId: str) -> list[AuthProvider]:
    """List the app's authentication providers."""
    return providers.list_providers(app_for(groupId, appId))


@blp.route(PROVIDERS, methods=["POST"], operation_id="adminCreateAuthProvider")
@admin_access_required
@blp.arguments(ProviderCreateSchema)
@blp.response(201, ProviderSchema)
@errors(400, 404, 409)
def create_provider(body: dict[str, Any], groupId: str, appId: str) -> AuthProvider:
    """Add a provider. Its name must equal its type; one provider of each type per app."""
    return providers.create_provider(
        app_for(groupId, appId), body["type"], name=body.get("name"),
        disabled=body["disabled"], config=body["config"],
        metadata_fields=body.get("metadata_fields"),
    )


@blp.route(PROVIDER, methods=["GET"], operation_id="adminGetAuthProvider")
@admin_access_required
@blp.response(200, ProviderSchema)
@errors(404)
def get_provider(groupId: str, appId: str, providerId: str) -> AuthProvider:
    """Get a provider with its configuration."""
    return providers.get_provider(app_for(groupId, appId), providerId)


@blp.route(PROVIDER, methods=["PATCH"], operation_id="adminUpdateAuthProvider")
@admin_access_required
@blp.arguments(ProviderPatchSchema)
@blp.response(204)
@errors(400, 404)
def update_provider(body: dict[str, Any], groupId: str, appId: str, providerId: str) -> None:
    """Change a provider's `disabled` flag, configuration or metadata fields (its name,
    type and `_id` stay)."""
    provider = providers.get_provider(app_for(groupId, appId), providerId)
    providers.update_provider(
        provider, name=body.get("name"), provider_type=body.get("type"),
        disabled=body.get("disabled"), config=body.get("config"),
        metadata_fields=body.get("metadata_fields"), provider_id=body.get("_id"),
    )


@blp.route(PROVIDER, methods=["DELETE"], operation_id="adminDeleteAuthProvider")
@admin_access_required
@blp.response(204)
@errors(404)
def delete_provider(groupId: str, appId: str, providerId: str) -> None:
    """Remove a provider; its users stay but cannot log in through it."""
    providers.delete_provider(providers.get_provider(app_for(groupId, appId), providerId))


@blp.route(PROVIDER + "/enable", methods=["PUT"], operation_id="adminEnableAuthProvider")
@admin_access_required
@blp.response(204)
@errors(404)
def enable_provider(groupId: str, appId: str, providerId: str) -> None:
    """Enable a provider (idempotent)."""
    providers.set_disabled(providers.get_provider(app_for(groupId, appId), providerId), False)


@blp.route(PROVIDER + "/disable", methods=["PUT"], operation_id="adminDisableAuthProvider")
@admin_access_required
@blp.response(204)
@errors(404)
def disable_provider(groupId: str, appId: str, providerId: str) -> None:
    """Disable a provider (idempotent); logins through it are refused."""
    providers.set_disabled(providers.get_provider(app_for(groupId, appId), providerId), True)
