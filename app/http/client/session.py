"""Client API: refresh and end sessions, read the profile, delete oneself."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from app.domain import sessions
from app.http import app_log
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
    @app_log.logged(app_log.AUTH, "refresh")
    @documents_client_refresh
    @blp.response(201, AccessTokenSchema)
    def post(self) -> dict[str, str]:
        """Get a new access token with the refresh token."""
        token, caller = sessions.refresh(bearer_token())
        app_log.note(app=caller.session.app, user_id=caller.user.id,
                     provider=caller.session.provider_type)
        return {"access_token": token}

    @operation("clientDeleteSession")
    @app_log.logged(app_log.AUTH, "logout")
    @documents_client_refresh
    @blp.response(204)
    def delete(self) -> None:
        """End the session of the refresh token; its access tokens stop working too."""
        ended = sessions.logout(bearer_token())
        app_log.note(app=ended.app, user_id=ended.user_id, provider=ended.provider_type)


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


