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
from app.http.docs import errors
from app.http.smorest import ServiceBlueprint
from app.models import AuthProvider

blp = ServiceBlueprint("admin-auth-providers", __name__,
                       description="Admin API: authentication providers")

PROVIDERS = "/groups/<string:group_id>/apps/<string:app_id>/auth_providers"
PROVIDER = PROVIDERS + "/<string:provider_id>"


@blp.route(PROVIDERS, methods=["GET"])
@admin_access_required
@blp.response(200, ProviderSummarySchema(many=True))
@errors(404)
def list_providers(group_id: str, app_id: str) -> list[AuthProvider]:
    """List the app's authentication providers."""
    return providers.list_providers(app_for(group_id, app_id))


@blp.route(PROVIDERS, methods=["POST"])
@admin_access_required
@blp.arguments(ProviderCreateSchema)
@blp.response(201, ProviderSchema)
@errors(400, 404, 409)
def create_provider(body: dict[str, Any], group_id: str, app_id: str) -> AuthProvider:
    """Add a provider. Its name must equal its type; one provider of each type per app."""
    return providers.create_provider(
        app_for(group_id, app_id), body["type"], name=body.get("name"),
        disabled=body["disabled"], config=body["config"],
        metadata_fields=body.get("metadata_fields"),
    )


@blp.route(PROVIDER, methods=["GET"])
@admin_access_required
@blp.response(200, ProviderSchema)
@errors(404)
def get_provider(group_id: str, app_id: str, provider_id: str) -> AuthProvider:
    """Get a provider with its configuration."""
    return providers.get_provider(app_for(group_id, app_id), provider_id)


@blp.route(PROVIDER, methods=["PATCH"])
@admin_access_required
@blp.arguments(ProviderPatchSchema)
@blp.response(204)
@errors(400, 404)
def update_provider(body: dict[str, Any], group_id: str, app_id: str, provider_id: str) -> None:
    """Change a provider's `disabled` flag, configuration or metadata fields (its name,
    type and `_id` stay)."""
    provider = providers.get_provider(app_for(group_id, app_id), provider_id)
    providers.update_provider(
        provider, name=body.get("name"), provider_type=body.get("type"),
        disabled=body.get("disabled"), config=body.get("config"),
        metadata_fields=body.get("metadata_fields"), provider_id=body.get("_id"),
    )


@blp.route(PROVIDER, methods=["DELETE"])
@admin_access_required
@blp.response(204)
@errors(404)
def delete_provider(group_id: str, app_id: str, provider_id: str) -> None:
    """Remove a provider; its users stay but cannot log in through it."""
    providers.delete_provider(providers.get_provider(app_for(group_id, app_id), provider_id))


@blp.route(PROVIDER + "/enable", methods=["PUT"])
@admin_access_required
@blp.response(204)
@errors(404)
def enable_provider(group_id: str, app_id: str, provider_id: str) -> None:
    """Enable a provider (idempotent)."""
    providers.set_disabled(providers.get_provider(app_for(group_id, app_id), provider_id), False)


@blp.route(PROVIDER + "/disable", methods=["PUT"])
@admin_access_required
@blp.response(204)
@errors(404)
def disable_provider(group_id: str, app_id: str, provider_id: str) -> None:
    """Disable a provider (idempotent); logins through it are refused."""
    providers.set_disabled(providers.get_provider(app_for(group_id, app_id), provider_id), True)
