"""Client API: provider logins and email/password registration."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import request as http_request

from app.domain import logins, providers, sessions
from app.domain.errors import MissingParameter, ProviderUnsupported
from app.http.auth import bearer_token
from app.http.client.schemas import (
    LoginArgsSchema,
    LoginSchema,
    RegisterSchema,
)
from app.http.docs import errors
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
@blp.arguments(LoginArgsSchema, location="query")
@blp.arguments(LoginSchema)
@blp.response(200, SessionTokensSchema)
@errors(400, 401, 403, 404, 429)
def login(args: dict[str, Any], body: dict[str, Any], clientAppId: str,
          provider: str) -> sessions.LoginResult:
    """Log in through a provider: `api-key` ({"key"}), `anon-user` ({}) or
    `local-userpass` ({"username", "password"})."""
    target = logins.login_target(clientAppId, provider)
    link_to = sessions.authenticate_access(bearer_token()) if args["link"] else None
    # remote_addr is the client's address; ProxyFix rewrites it behind trusted proxies.
    request = logins.LoginRequest(device=body["options"].get("device", {}), link_to=link_to,
                                  client_address=http_request.remote_addr)
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
    """Register an email/password user (the provider must auto-confirm)."""
    target = logins.login_target(clientAppId, providers.LOCAL_USERPASS)
    logins.register(target, body["email"], body["password"], http_request.remote_addr)
    return Response(status=201)  # no body, and so no Content-Type (see create_app)
