"""What the OpenAPI document says of every operation: its error responses and tokens."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

F = TypeVar("F", bound=Callable[..., Any])

# Named error responses, registered once as components (see ServiceApi).
ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    429: "TooManyRequests",
    503: "ServiceUnavailable",
}

ADMIN_ACCESS = "adminAccessToken"
ADMIN_REFRESH = "adminRefreshToken"
CLIENT_ACCESS = "clientAccessToken"
CLIENT_REFRESH = "clientRefreshToken"
# GET /metrics, when METRICS_TOKEN is set: the operator's token, not a JWT.
METRICS_TOKEN_SCHEME = "metricsToken"  # noqa: S105 (a scheme's name, not a token)

SECURITY_SCHEMES = {
    ADMIN_ACCESS: "Admin API access token from the mongodb-cloud login",
    ADMIN_REFRESH: "Admin API refresh token from the mongodb-cloud login",
    CLIENT_ACCESS: "Client API access token from a provider login",
    CLIENT_REFRESH: "Client API refresh token from a provider login",
}


def response_ref(status: int) -> dict[str, str]:
    """Return a reference to the named error response for `status`."""
    return {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}


def errors(*statuses: int) -> Callable[[F], F]:
    """Document the error responses a view can give, besides 413 which any body can."""
    responses = {str(status): response_ref(status) for status in statuses}
    return Blueprint.doc(responses=responses)  # type: ignore[no-any-return]


def security(scheme: str) -> Callable[[F], F]:
    """Document the bearer token a view asks for."""
    return Blueprint.doc(  # type: ignore[no-any-return]
        security=[{scheme: []}], responses={"401": response_ref(401)}
    )


def register_components(spec: Any) -> None:
    """Add the security schemes and the named error responses to the spec."""
    for name, description in SECURITY_SCHEMES.items():
        spec.components.security_scheme(
            name, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": description},
        )
    spec.components.security_scheme(METRICS_TOKEN_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "The METRICS_TOKEN setting, when the operator set one"})
    for status, name in ERROR_RESPONSES.items():
        spec.components.response(name, {
            "description": http.HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": "Error"}},
        })
