"""Client API: provider logins and email/password registration."""

from __future__ import annotations

from typing import Any

from flask import Response, g
from flask import request as http_request

from app.domain import logins, providers, sessions
from app.domain.errors import BadRequest, MissingParameter, ProviderUnsupported
from app.http import app_log
from app.http.auth import bearer_token
from app.http.client.schemas import (
    LoginArgsSchema,
    LoginSchema,
    RegisterSchema,
)
from app.http.openapi_doc import errors
from app.http.schemas import SessionTokensSchema
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("client-login", __name__, description="Client API: logins")

PROVIDER = "/app/<string:clientAppId>/auth/providers/<string:provider>"


def _required(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if value is None:
        raise MissingParameter(f"missing required field '{field}'")
    return str(value)


@blp.route(PROVIDER + "/login", methods=["POST"], operation_id="clientLogin")
@app_log.logged(app_log.AUTH, "login")
@blp.arguments(LoginArgsSchema, location="query")
@blp.arguments(LoginSchema)
@blp.response(200, SessionTokensSchema)
@errors(400, 401, 403, 404, 429)
def login(args: dict[str, Any], body: dict[str, Any], clientAppId: str,
          provider: str) -> sessions.LoginResult:
    """Log in through a provider: `api-key` ({"key"}), `anon-user` ({}) or
    `local-userpass` ({"username", "password"})."""
    target = logins.login_target(clientAppId, provider)
    g.app_id = target.app.id  # for the access log (app.http.flask_app)
    device = body["options"].get("device", {})
    app_log.note(app=target.app, device=device)
    link_to = sessions.authenticate_access(bearer_token()) if args["link"] else None
    # remote_addr is the client's address; ProxyFix rewrites it behind trusted proxies.
    request = logins.LoginRequest(device=device, link_to=link_to,
                                  client_address=http_request.remote_addr)
    result = _login(target, provider, body, request)
    app_log.note(user_id=result.user_id)
    g.user_id = result.user_id
    return result


def _login(target: logins.LoginTarget, provider: str, body: dict[str, Any],
           request: logins.LoginRequest) -> sessions.LoginResult:
    if provider == providers.API_KEY:
        return logins.login_with_api_key(target, _required(body, "key"), request)
    if provider == providers.ANON_USER:
        return logins.login_anonymously(target, request)
    if provider == providers.LOCAL_USERPASS:
        return logins.login_with_password(
            target, _required(body, "username"), _required(body, "password"), request
        )
    raise ProviderUnsupported(f"authentication via '{provider}' is unsupported")


@blp.route("/app/<string:clientAppId>/auth/providers/local-userpass/register",
           methods=["POST"], operation_id="clientRegisterEmailPasswordUser")
@blp.arguments(RegisterSchema)
@blp.response(201)
@errors(400, 401, 404, 409, 429)
def register(body: dict[str, str], clientAppId: str) -> Response:
    """Register an email/password user; without the provider's autoConfirm it is pending
    until the app's admin confirms it (Admin API `user_registrations`)."""
    target = logins.login_target(clientAppId, providers.LOCAL_USERPASS)
    logins.register(target, body["email"], body["password"], http_request.remote_addr)
    return Response(status=201)  # no body, and so no Content-Type (see create_app)


# The email workflows of local-userpass: this server sends no email and runs no function,
# so each of these answers a 400 (realm-core and realm-web report its message as the
# call's error) that says which admin call does the job instead.
ADMIN_APP = "/api/admin/v3.0/groups/{groupId}/apps/{appId}"
CONFIRM_BY_ADMIN = (
    "this server sends no confirmation emails and runs no confirmation functions: the "
    "app's admin confirms a pending user (Admin API: POST "
    f"{ADMIN_APP}/user_registrations/by_email/{{email}}/confirm, or "
    "`appservices users confirm --app <app> --email <email>`)"
)
RESET_BY_ADMIN = (
    "this server sends no password reset emails and runs no reset functions: the app's "
    f"admin deletes the user (Admin API: DELETE {ADMIN_APP}/users/{{userId}}) and creates "
    f"it again with a new password (POST {ADMIN_APP}/users)"
)
EMAIL_WORKFLOWS = {
    "confirm": ("Confirm a registration with the emailed token", CONFIRM_BY_ADMIN),
    "confirm/send": ("Send the confirmation email again", CONFIRM_BY_ADMIN),
    "confirm/call": ("Run the confirmation function again", CONFIRM_BY_ADMIN),
    "reset": ("Reset a password with the emailed token", RESET_BY_ADMIN),
    "reset/send": ("Send a password reset email", RESET_BY_ADMIN),
    "reset/call": ("Reset a password through the reset function", RESET_BY_ADMIN),
}


EMAIL_OPERATION_IDS = {
    "confirm": "clientConfirmUser",
    "confirm/send": "clientResendConfirmationEmail",
    "confirm/call": "clientRerunConfirmation",
    "reset": "clientResetPassword",
    "reset/send": "clientSendResetPasswordEmail",
    "reset/call": "clientCallResetPasswordFunction",
}


def _email_workflow(action: str, summary: str, message: str) -> None:
    def workflow(clientAppId: str) -> None:
        logins.app_by_client_id(clientAppId)  # an unknown app is a 404, as everywhere
        raise BadRequest(message)

    workflow.__doc__ = f"{summary}: not done here; the 400 names the admin call that does it."
    endpoint = "email_" + action.replace("/", "_")
    blp.route(f"/app/<string:clientAppId>/auth/providers/local-userpass/{action}",
              methods=["POST"], endpoint=endpoint,
              operation_id=EMAIL_OPERATION_IDS[action])(errors(400, 404)(workflow))


for _action, (_summary, _message) in EMAIL_WORKFLOWS.items():
    _email_workflow(_action, _summary, _message)
