"""Bearer tokens: parsing the header, and the decorators that ask for a token kind.

401 means "your session is bad" (clients then refresh or log out); "authenticated but
not allowed" is a 403, raised by the domain.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request

from app.domain import admin, sessions
from app.domain.errors import InvalidSession
from app.http import openapi_doc

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str:
    """Return the bearer token of the request, or raise InvalidSession."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidSession("invalid session: must authenticate with a bearer token")
    return token.strip()


def admin_access_required(view: F) -> F:
    """Let the view run only with a valid Admin API access token; sets `g.admin_key`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.admin_key = admin.authenticate(bearer_token())
        return view(*args, **kwargs)

    return openapi_doc.security(openapi_doc.ADMIN_ACCESS)(cast(F, wrapper))


def admin_refresh_required(view: F) -> F:
    """Document that the view reads an Admin API refresh token (checked by the domain)."""
    return openapi_doc.security(openapi_doc.ADMIN_REFRESH)(view)


def client_access_required(view: F) -> F:
    """Let the view run only with a valid client access token; sets `g.caller`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.caller = sessions.authenticate_access(bearer_token())
        return view(*args, **kwargs)

    return openapi_doc.security(openapi_doc.CLIENT_ACCESS)(cast(F, wrapper))


def client_refresh_required(view: F) -> F:
    """Let the view run only with a valid client refresh token; sets `g.caller`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.caller = sessions.authenticate_refresh(bearer_token())
        return view(*args, **kwargs)

    return openapi_doc.security(openapi_doc.CLIENT_REFRESH)(cast(F, wrapper))


def documents_client_refresh(view: F) -> F:
    """Document that the view reads a client refresh token (checked by the domain)."""
    return openapi_doc.security(openapi_doc.CLIENT_REFRESH)(view)
