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

blp = ServiceBlueprint("admin-apps", __name__, description="Admin API: apps")

GROUP = "/groups/<string:group_id>/apps"


@blp.route(GROUP, methods=["GET"])
@admin_access_required
@blp.response(200, AppSchema(many=True))
@errors(404)
def list_apps(group_id: str) -> list[App]:
    """List the group's apps."""
    return apps.list_apps(admin.group_for(g.admin_key, group_id))


@blp.route(GROUP, methods=["POST"])
@admin_access_required
@blp.arguments(AppCreateSchema)
@blp.response(201, AppSchema)
@errors(400, 404, 409)
def create_app(body: dict[str, str], group_id: str) -> App:
    """Create an app. Its `api-key` provider is present but disabled."""
    return apps.create_app(admin.group_for(g.admin_key, group_id), body["name"])


@blp.route(GROUP + "/<string:app_id>", methods=["GET"])
@admin_access_required
@blp.response(200, AppSchema)
@errors(404)
def get_app(group_id: str, app_id: str) -> App:
    """Get an app by its `_id` (not its client App ID)."""
    return app_for(group_id, app_id)


@blp.route(GROUP + "/<string:app_id>", methods=["DELETE"])
@admin_access_required
@blp.response(204)
@errors(404)
def delete_app(group_id: str, app_id: str) -> None:
    """Delete an app and everything in it: providers, users, keys, sessions."""
    apps.delete_app(app_for(group_id, app_id))
