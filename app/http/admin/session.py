"""Admin login, session refresh, logout and profile."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView

from app.domain import admin
from app.http.admin.schemas import (
    AdminAuthProviderSchema,
    AdminLoginSchema,
    AdminProfileSchema,
)
from app.http.auth import admin_access_required, admin_refresh_required, bearer_token
from app.http.openapi_doc import errors
from app.http.schemas import AccessTokenSchema, SessionTokensSchema
from app.http.smorest import ServiceBlueprint, operation

blp = ServiceBlueprint("admin", __name__,
                       description="Admin API: logging in, sessions and the admin's profile")


@blp.route("/auth/providers", methods=["GET"], operation_id="getAdminAuthProviders",
           tags=["admin"])
@blp.doc(security=[])
@blp.response(200, AdminAuthProviderSchema(many=True))
def list_admin_providers() -> list[dict[str, Any]]:
    """List the Admin API's own login providers: `mongodb-cloud` (an admin key pair)."""
    return [{"name": admin.LOGIN_PROVIDER, "type": admin.LOGIN_PROVIDER, "disabled": False}]


@blp.route("/auth/providers/mongodb-cloud/login", methods=["POST"], operation_id="adminLogin")
@blp.arguments(AdminLoginSchema)
@blp.response(200, SessionTokensSchema)
@errors(400, 401, 429)
def login(body: dict[str, str]) -> admin.SessionTokens:
    """Log in with an admin key pair (public key as `username`, private key as `apiKey`)."""
    # remote_addr is the client's address; ProxyFix rewrites it behind trusted proxies.
    return admin.login(body["username"], body["apiKey"], request.remote_addr)


@blp.route("/auth/session")
class Session(MethodView):
    @operation("adminCreateSession")
    @admin_refresh_required
    @blp.response(201, AccessTokenSchema)
    def post(self) -> dict[str, str]:
        """Get a new access token with the refresh token."""
        return {"access_token": admin.refresh(bearer_token())}

    @operation("adminDeleteSession")
    @admin_refresh_required
    @blp.response(204)
    def delete(self) -> None:
        """End the session of the refresh token; its access tokens stop working too."""
        admin.logout(bearer_token())


@blp.route("/auth/profile", methods=["GET"], operation_id="getAdminProfile")
@admin_access_required
@blp.response(200, AdminProfileSchema)
def profile() -> dict[str, Any]:
    """Describe the logged-in admin, with a role per group it may manage."""
    return admin.profile(g.admin_key)
