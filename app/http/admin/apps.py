"""Admin API: apps of a group."""

from __future__ import annotations

from flask import g

from app.domain import admin, apps
from app.http.admin.lookup import app_for
from app.http.admin.schemas import AppCreateSchema, AppSchema
from app.http.auth import admin_access_required
from app.http.docs import errors
from app.http.smorest import ServiceBlueprint
from app.models import App

blp = ServiceBlueprint("apps", __name__, description="Admin API: apps")

GROUP = "/groups/<string:groupId>/apps"


@blp.route(GROUP, methods=["GET"], operation_id="adminListApplications")
@admin_access_required
@blp.response(200, AppSchema(many=True))
@errors(404)
def list_apps(groupId: str) -> list[App]:
    """List the group's apps."""
    return apps.list_apps(admin.group_for(g.admin_key, groupId))


@blp.route(GROUP, methods=["POST"], operation_id="adminCreateApplication")
@admin_access_required
@blp.arguments(AppCreateSchema)
@blp.response(201, AppSchema)
@errors(400, 404, 409)
def create_app(body: dict[str, str], groupId: str) -> App:
    """Create an app. Its `api-key` provider is present but disabled."""
    return apps.create_app(admin.group_for(g.admin_key, groupId), body["name"])


@blp.route(GROUP + "/<string:appId>", methods=["GET"], operation_id="adminGetApplication")
@admin_access_required
@blp.response(200, AppSchema)
@errors(404)
def get_app(groupId: str, appId: str) -> App:
    """Get an app by its `_id` (not its client App ID)."""
    return app_for(groupId, appId)


@blp.route(GROUP + "/<string:appId>", methods=["DELETE"], operation_id="adminDeleteApplication")
@admin_access_required
@blp.response(204)
@errors(404)
def delete_app(groupId: str, appId: str) -> None:
    """Delete an app and everything in it: providers, users, keys, sessions."""
    apps.delete_app(app_for(groupId, appId))
