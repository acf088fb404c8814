"""Admin API: an app's users."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from app.domain import sessions, users
from app.http.admin.lookup import app_for
from app.http.admin.schemas import (
    UserCreateSchema,
    UserDeviceSchema,
    UserListArgsSchema,
    UserSchema,
    VerifiedTokenSchema,
    VerifyTokenSchema,
)
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint, operation
from app.models import Device, Identity, User

blp = ServiceBlueprint("users", __name__, description="Admin API: users")

USERS = "/groups/<string:groupId>/apps/<string:appId>/users"
USER = USERS + "/<string:userId>"


def _user_view(user: User, identities: list[Identity]) -> dict[str, Any]:
    return {
        "id": user.id,
        "identities": [
            {"id": identity.external_id, "provider_type": identity.provider_type,
             "provider_id": identity.provider_id}
            for identity in identities
        ],
        "type": user.type,
        "creation_date": user.creation_date,
        "last_authentication_date": user.last_authentication_date,
        "disabled": user.disabled,
        "data": user.data,
        "custom_data": user.custom_data,
    }


def _views(found: list[User]) -> list[dict[str, Any]]:
    identities = users.identities_by_user(found)
    return [_user_view(user, identities[user.id]) for user in found]


def _user(groupId: str, appId: str, userId: str) -> User:
    return users.get_user(app_for(groupId, appId), userId)


@blp.route(USERS)
class Users(MethodView):
    @operation("adminListUsers")
    @admin_access_required
    # A mistyped filter (`?stauts=disabled`) must not silently list everyone.
    @blp.arguments(UserListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, UserSchema(many=True))
    @errors(400, 404)
    def get(self, args: dict[str, Any], groupId: str, appId: str) -> list[dict[str, Any]]:
        """List the app's users, 50 a page ordered by `_id`; pass the last `_id` as `after`."""
        provider_types = tuple(
            part.strip() for part in args.get("provider_types", "").split(",") if part.strip()
        )
        query = users.UserQuery(after=args.get("after"), descending=args["desc"],
                                status=args.get("status"), provider_types=provider_types)
        return _views(users.list_users(app_for(groupId, appId), query))

    @operation("adminCreateUser")
    @admin_access_required
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @errors(400, 404, 409)
    def post(self, body: dict[str, str], groupId: str, appId: str) -> dict[str, Any]:
        """Create an email/password user (the app needs a `local-userpass` provider)."""
        user = users.create_password_user(app_for(groupId, appId), body["email"],
                                          body["password"])
        return _views([user])[0]


@blp.route(USERS + "/verify_token", methods=["POST"], operation_id="adminVerifyUserAccessToken")
@admin_access_required
@blp.arguments(VerifyTokenSchema)
@blp.response(200, VerifiedTokenSchema)
@errors(400, 404)
def verify_token(body: dict[str, str], groupId: str, appId: str) -> dict[str, Any] | str:
    """Check a client access token of this app and return its claims."""
    return sessions.verify_token(app_for(groupId, appId), body["token"])


@blp.route(USER)
class AppUser(MethodView):
    @operation("adminGetUser")
    @admin_access_required
    @blp.response(200, UserSchema)
    @errors(404)
    def get(self, groupId: str, appId: str, userId: str) -> dict[str, Any]:
        """Get a user with its identities."""
        return _views([_user(groupId, appId, userId)])[0]

    @operation("adminDeleteUser")
    @admin_access_required
    @blp.response(204)
    @errors(404)
    def delete(self, groupId: str, appId: str, userId: str) -> None:
        """Delete a user with its identities, API keys and sessions."""
        users.delete_user(_user(groupId, appId, userId))


blp.enable_and_disable(
    USER, find=_user, set_disabled=users.set_disabled, guard=admin_access_required,
    statuses=(404,), enable=("adminEnableUser", "Enable a user (idempotent)."),
    disable=("adminDisableUser",
             "Disable a user (idempotent); its sessions end and it can no longer log in."),
)


@blp.route(USER + "/logout", methods=["PUT"], operation_id="adminUserLogout")
@admin_access_required
@blp.response(204)
@errors(404)
def logout_user(groupId: str, appId: str, userId: str) -> None:
    """Revoke every refresh token of the user."""
    users.logout(_user(groupId, appId, userId))


def _device_view(device: Device) -> dict[str, Any]:
    info = device.info
    return {"_id": device.id, "platform": info.get("platform", ""),
            "platform_version": info.get("platformVersion", ""),
            "app_id": info.get("appId", ""), "app_version": info.get("appVersion", ""),
            "sdk_version": info.get("sdkVersion", ""), "created_at": device.created_at,
            "last_seen": device.last_seen}


@blp.route(USER + "/devices", methods=["GET"], operation_id="adminListDevices", tags=["users"])
@admin_access_required
@blp.response(200, UserDeviceSchema(many=True))
@errors(404)
def list_devices(groupId: str, appId: str, userId: str) -> list[dict[str, Any]]:
    """List the devices the user has a session on, the most recently seen first (a
    device it logged out of is no longer listed)."""
    return [_device_view(device) for device in users.devices_of(_user(groupId, appId, userId))]
