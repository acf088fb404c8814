"""Client API: refresh and end sessions, read the profile, delete oneself."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from app.domain import sessions
from app.http.auth import (
    bearer_token,
    client_access_required,
    documents_client_refresh,
)
from app.http.client.schemas import ProfileSchema
from app.http.openapi_doc import errors
from app.http.schemas import AccessTokenSchema
from app.http.smorest import ServiceBlueprint, operation

blp = ServiceBlueprint("client-session", __name__, description="Client API: sessions")


@blp.route("/auth/session")
class Session(MethodView):
    @operation("clientCreateSession")
    @documents_client_refresh
    @blp.response(201, AccessTokenSchema)
    def post(self) -> dict[str, str]:
        """Get a new access token with the refresh token."""
        return {"access_token": sessions.refresh(bearer_token())}

    @operation("clientDeleteSession")
    @documents_client_refresh
    @blp.response(204)
    def delete(self) -> None:
        """End the session of the refresh token; its access tokens stop working too."""
        sessions.logout(bearer_token())


@blp.route("/auth/profile", methods=["GET"], operation_id="clientGetProfile")
@client_access_required
@blp.response(200, ProfileSchema)
def profile() -> dict[str, Any]:
    """Describe the logged-in user: `type` is "server" for server-key users."""
    return sessions.profile(g.caller)


@blp.route("/auth/delete", methods=["DELETE"], operation_id="clientDeleteCurrentUser")
@client_access_required
@blp.response(204)
@errors(403)
def delete_me() -> None:
    """Delete the logged-in user with its keys and sessions."""
    sessions.delete_caller(g.caller)


