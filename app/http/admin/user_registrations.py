"""Admin API: pending email/password registrations (a provider without autoConfirm)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE

from app.domain import registrations
from app.http.admin.lookup import app_for
from app.http.admin.schemas import PendingUserListArgsSchema, PendingUserSchema
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint
from app.models import App, PasswordCredential

blp = ServiceBlueprint("admin-user-registrations", __name__,
                       description="Admin API: pending user registrations")

REGISTRATIONS = "/groups/<string:groupId>/apps/<string:appId>/user_registrations"
BY_EMAIL = REGISTRATIONS + "/by_email/<string:email>"


def _pending_view(app: App, credential: PasswordCredential) -> dict[str, Any]:
    # No user exists before the first login after confirmation: `user_id` is empty, as
    # in the original.
    return {"_id": credential.id, "domain_id": app.domain_id, "user_id": "",
            "login_ids": [{"id_type": "email", "id": credential.email}]}


@blp.route(REGISTRATIONS + "/pending_users", methods=["GET"],
           operation_id="adminListPendingUsers",
           tags=["users"])
@admin_access_required
@blp.arguments(PendingUserListArgsSchema, location="query", unknown=RAISE)
@blp.response(200, PendingUserSchema(many=True))
@errors(400, 404)
def list_pending_users(args: dict[str, Any], groupId: str, appId: str) -> list[dict[str, Any]]:
    """List registrations waiting for an admin's confirmation, 50 a page, oldest first;
    pass the last `_id` as `after`."""
    app = app_for(groupId, appId)
    return [_pending_view(app, credential)
            for credential in registrations.list_pending(app, args.get("after"))]


@blp.route(BY_EMAIL + "/confirm", methods=["POST"], operation_id="adminConfirmPendingUser",
           tags=["email"])
@admin_access_required
@blp.response(204)
@errors(400, 404)
def confirm_pending_user(groupId: str, appId: str, email: str) -> None:
    """Confirm a pending registration: its email and password may log in from now on."""
    registrations.confirm(app_for(groupId, appId), email)


@blp.route(BY_EMAIL, methods=["DELETE"],
           operation_id="adminDeletePendingEmailPasswordUser",
           tags=["users"])
@admin_access_required
@blp.response(204)
@errors(404)
def delete_pending_user(groupId: str, appId: str, email: str) -> None:
    """Delete a pending registration (the email may register again)."""
    registrations.delete_pending(app_for(groupId, appId), email)
