"""Signed session tokens (HS256 JWTs) for the client and Admin APIs.

Each API signs with its own key derived from SECRET_KEY, so a token of one can never
pass for a token of the other. Token kinds ("access" / "refresh") are told apart by
the `typ` claim and each endpoint asks for one kind.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any, Literal

import jwt

from app import clock
from app.domain import settings
from app.domain.errors import InvalidSession

Audience = Literal["client", "admin"]
Kind = Literal["access", "refresh"]
ALGORITHM = "HS256"
# Refresh tokens of anonymous users "effectively never expire": 100 years.
NEVER_SECONDS = 100 * 365 * 24 * 3600


def _signing_key(audience: Audience) -> bytes:
    secret = settings.current().secret_key
    if not secret:
        raise RuntimeError("the token signing key is not configured (create_app sets it)")
    return _derive_key(secret, audience)


@lru_cache(maxsize=16)  # derived for every token signed or checked
def _derive_key(secret_key: str, audience: Audience) -> bytes:
    return hmac.new(secret_key.encode(), f"appservices-{audience}-tokens".encode(),
                    hashlib.sha256).digest()


def encode(audience: Audience, claims: dict[str, Any]) -> str:
    """Sign `claims` for `audience`."""
    return jwt.encode(claims, _signing_key(audience), algorithm=ALGORITHM)


def decode(audience: Audience, token: str, kind: Kind, *,
           allow_expired: bool = False) -> dict[str, Any]:
    """Return the claims of a valid, unexpired token of `kind`, or raise InvalidSession.

    `allow_expired` accepts a correctly signed token past its expiry: ending a session
    must work however old its refresh token is.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _signing_key(audience),
            algorithms=[ALGORITHM],
            # Time claims are checked below against our clock, not PyJWT's, so that
            # moving the clock in tests works in both directions.
            options={
                "require": ["exp", "iat", "sub", "typ"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError:
        raise InvalidSession(
            "invalid session: token is malformed or not signed by this server"
        ) from None
    if claims.get("typ") != kind:
        raise InvalidSession(f"invalid session: this call needs the {kind} token")
    exp = claims.get("exp")
    if not isinstance(exp, int) or (exp <= clock.timestamp() and not allow_expired):
        raise InvalidSession(f"invalid session: {kind} token expired")
    return claims


def signed_claims(audience: Audience, token: str) -> dict[str, Any] | None:
    """The claims of a token this server signed for `audience`, of any kind and age; else None.

    Only for telling which app a failed request concerned (the `link` of its error): never
    a proof that the token may be used.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token, _signing_key(audience), algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        return None
    return claims
