"""Admin API: an app's security settings (the lifetime of its sessions' refresh tokens)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from app.domain import apps
from app.http.admin.lookup import app_for
from app.http.admin.schemas import RefreshTokenExpirationSchema
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint, operation

blp = ServiceBlueprint("admin-security", __name__, description="Admin API: app security")

EXPIRATION = "/groups/<string:groupId>/apps/<string:appId>/security/refresh_token_expiration"


@blp.route(EXPIRATION, tags=["security"])
class RefreshTokenExpiration(MethodView):
    @operation("adminGetRefreshTokenExpiration")
    @admin_access_required
    @blp.response(200, RefreshTokenExpirationSchema)
    @errors(404)
    def get(self, groupId: str, appId: str) -> dict[str, Any]:
        """Get how long new sessions' refresh tokens live, in seconds (the server's
        REFRESH_TOKEN_SECONDS until the app sets its own)."""
        return {"expiration_time_seconds":
                apps.refresh_token_expiration(app_for(groupId, appId))}

    @operation("adminSetRefreshTokenExpiration")
    @admin_access_required
    @blp.arguments(RefreshTokenExpirationSchema)
    @blp.response(204)
    @errors(400, 404)
    def put(self, body: dict[str, Any], groupId: str, appId: str) -> None:
        """Set how long the refresh tokens of new sessions live: 1800 seconds (30 minutes) to
        5 years. Sessions opened before keep their expiry; anonymous sessions never expire."""
        apps.set_refresh_token_expiration(app_for(groupId, appId),
                                          body["expiration_time_seconds"])
