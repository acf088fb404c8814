"""Admin API: apps of a group."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from app.domain import admin, apps
from app.http.admin.lookup import app_for
from app.http.admin.schemas import (
    AppCreateArgsSchema,
    AppCreateSchema,
    AppListArgsSchema,
    AppSchema,
)
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint, operation
from app.models import App

blp = ServiceBlueprint("apps", __name__, description="Admin API: apps")

GROUP = "/groups/<string:groupId>/apps"


@blp.route(GROUP)
class Apps(MethodView):
    @operation("adminListApplications")
    @admin_access_required
    @blp.arguments(AppListArgsSchema, location="query")
    @blp.response(200, AppSchema(many=True))
    @errors(400, 404)
    def get(self, args: dict[str, Any], groupId: str) -> list[App]:
        """List the group's apps of the products asked for (the standard ones by default)."""
        # realm-cli asks for each product in turn (the standard ones without `product`) and
        # puts the answers together: each app must be in exactly one of them.
        asked = {apps.PRODUCT if product == "defaults" else product
                 for product in args.get("product") or ["defaults"]}
        return apps.list_apps(admin.group_for(g.admin_key, groupId), sorted(asked))

    @operation("adminCreateApplication")
    @admin_access_required
    @blp.arguments(AppCreateArgsSchema, location="query")
    @blp.arguments(AppCreateSchema)
    @blp.response(201, AppSchema)
    @errors(400, 404, 409)
    def post(self, args: dict[str, Any], body: dict[str, Any], groupId: str) -> App:
        """Create an app. Its `api-key` provider is present but disabled."""
        deployment = apps.Deployment(
            location=body.get("location"), provider_region=body.get("provider_region"),
            deployment_model=body.get("deployment_model"),
            environment=body.get("environment"),
        )
        return apps.create_app(admin.group_for(g.admin_key, groupId), body["name"],
                               deployment, product=args.get("product"))


@blp.route(GROUP + "/<string:appId>")
class OneApp(MethodView):
    @operation("adminGetApplication")
    @admin_access_required
    @blp.response(200, AppSchema)
    @errors(404)
    def get(self, groupId: str, appId: str) -> App:
        """Get an app by its `_id` (not its client App ID)."""
        return app_for(groupId, appId)

    @operation("adminDeleteApplication")
    @admin_access_required
    @blp.response(204)
    @errors(404)
    def delete(self, groupId: str, appId: str) -> None:
        """Delete an app and everything in it: providers, users, keys, sessions."""
        apps.delete_app(app_for(groupId, appId))
