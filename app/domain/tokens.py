"""Signed session tokens (JWTs) for the client and Admin APIs.

Client tokens are what other backends verify: they are signed with the current
asymmetric key of app.domain.signing_keys (ES256 by default, TOKEN_SIGNING_ALGORITHM),
name it in `kid`, and carry `iss` (the issuer) and `aud` (the app's client_app_id).
With TOKEN_SIGNING_ALGORITHM=HS256 they are signed as before, with a key derived from
SECRET_KEY and no `kid`.

Admin tokens are read only by this service, so they keep HS256 with their own
SECRET_KEY-derived key: a token of one API can never pass for a token of the other.

Checking a client token: one with a `kid` is checked only with that published key and
its own algorithm; one without a `kid` only as HS256 with the SECRET_KEY-derived key
(what earlier releases issued, so an upgrade logs nobody out). A public key is never
used as an HMAC secret (the algorithm-confusion attack), and `alg: none` is never
accepted. Token kinds ("access" / "refresh") are told apart by the `typ` claim.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any, Literal

import jwt

from app import clock
from app.domain import jwt_codec, settings, signing_keys
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


def issuer() -> str:
    """The `iss` of client tokens, the same on every server (see DomainSettings)."""
    return settings.current().token_issuer


def encode(audience: Audience, claims: dict[str, Any]) -> str:
    """Sign `claims` for `audience`."""
    if audience == "client" and (
        settings.current().token_signing_algorithm in signing_keys.ASYMMETRIC
    ):
        kid, algorithm, private = signing_keys.signer()
        return jwt_codec.encode(claims, private, algorithm=algorithm, headers={"kid": kid})
    return jwt_codec.encode(claims, _signing_key(audience), algorithm=ALGORITHM)


_NOT_OURS = "invalid session: token is malformed or not signed by this server"
# Tokens whose signature this process has checked, with their claims. An SDK sends the
# same access token with every call until it expires, and the same refresh token with
# every refresh: checking an ES256 signature again each time cost ~30% of a profile
# read. A token is remembered with the very key object that checked it, so a key
# retired from the JWKS (signing_keys.published_key refuses it first) or a new
# SECRET_KEY never meets an old entry. Only signatures are remembered: expiry and the
# session itself are checked on every request.
VERIFIED_TOKENS_CACHED = 2048


@lru_cache(maxsize=VERIFIED_TOKENS_CACHED)
def _signature_checked_once(token: str, key: Any, algorithm: str, expected_issuer: str | None,
                            require: tuple[str, ...]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt_codec.decode(
        token, key, algorithms=[algorithm], issuer=expected_issuer,
        # Time claims are checked by the callers against our clock, not PyJWT's, so
        # that moving the clock in tests works in both directions.
        options={"require": list(require), "verify_aud": False, "verify_exp": False,
                 "verify_iat": False, "verify_nbf": False},
    )
    return claims


def _signature_checked(token: str, key: Any, algorithm: str, expected_issuer: str | None,
                       require: tuple[str, ...]) -> dict[str, Any]:
    """`token`'s claims if `key` signed it (with `algorithm`), it names `expected_issuer`
    (None: any) and it holds the `require`d claims; raises jwt.PyJWTError otherwise."""
    # A copy: callers may add to what they are given; the cached claims stay as signed.
    return dict(_signature_checked_once(token, key, algorithm, expected_issuer, require))


def _verify(audience: Audience, token: str, require: tuple[str, ...]) -> dict[str, Any]:
    """The claims of a token whose signature is ours and that holds the `require`d claims;
    raises jwt.PyJWTError otherwise. Its time claims are for the caller to check."""
    header = jwt_codec.unverified_header(token)
    kid = header.get("kid")
    if audience == "admin" or kid is None:
        # HS256 with the secret-derived key only: never a public key as the secret.
        # `aud` (HS256 mode) is compared with the session's app by sessions.py.
        return _signature_checked(token, _signing_key(audience), ALGORITHM, None, require)
    if not isinstance(kid, str):
        raise jwt.InvalidTokenError("bad kid")
    key = signing_keys.published_key(kid)
    if key is None:  # unknown, or rotated out of the JWKS
        raise jwt.InvalidTokenError("unknown kid")
    claims = _signature_checked(token, signing_keys.verifier(key), key.algorithm, issuer(),
                                (*require, "iss", "aud"))
    # The audience is the app's client_app_id; sessions.py compares it with the
    # session's app, which only it knows.
    if not isinstance(claims.get("aud"), str):
        raise jwt.InvalidAudienceError("aud")
    return claims


def decode(audience: Audience, token: str, kind: Kind, *,
           allow_expired: bool = False) -> dict[str, Any]:
    """Return the claims of a valid, unexpired token of `kind`, or raise InvalidSession.

    `allow_expired` accepts a correctly signed token past its expiry: ending a session
    must work however old its refresh token is.
    """
    try:
        claims = _verify(audience, token, ("exp", "iat", "sub", "typ"))
    except jwt.PyJWTError:
        raise InvalidSession(_NOT_OURS) from None
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
        claims = _verify(audience, token, ())
    except jwt.PyJWTError:
        return None
    return claims
