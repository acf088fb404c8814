"""The public keys of client tokens and where to find them (issue 14).

`/.well-known/jwks.json` serves the keys a backend needs to check our client tokens
with any JWKS client; `/.well-known/openid-configuration` names the issuer, that URL
and the algorithm, as OIDC discovery expects. Neither needs a token.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields

from app.domain import settings, signing_keys, tokens
from app.http import urls
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("well-known", __name__, description="Token verification keys")

# Verifiers may keep the set this long; a key that has just started signing is not in
# their copy, so good clients (PyJWKClient, jose) fetch again on an unknown kid. A new
# key signs at once after a rotation, and the old one stays published until its tokens
# expire, so no cached copy ever refuses a valid token for long.
MAX_AGE_SECONDS = 300


class JwkSchema(Schema):
    kty = fields.String(required=True, metadata={"example": "EC"})
    kid = fields.String(required=True)
    alg = fields.String(required=True, metadata={"example": "ES256"})
    use = fields.String(required=True, metadata={"example": "sig"})
    crv = fields.String(metadata={"example": "P-256"})
    x = fields.String()
    y = fields.String()
    n = fields.String()
    e = fields.String()


class JwksSchema(Schema):
    keys = fields.List(fields.Nested(JwkSchema), required=True)


class OpenIdConfigurationSchema(Schema):
    issuer = fields.String(required=True, metadata={
        "description": "The `iss` of client tokens: PUBLIC_URL, or urn:appservices-auth "
                       "when PUBLIC_URL is unset"})
    jwks_uri = fields.String(required=True)
    id_token_signing_alg_values_supported = fields.List(fields.String(), required=True)
    token_signing_alg_values_supported = fields.List(fields.String(), required=True)


def _cacheable(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


@blp.route("/.well-known/jwks.json", methods=["GET"], operation_id="getJsonWebKeySet")
@blp.response(200, JwksSchema)
def jwks() -> Response:
    """The public keys that sign client tokens: the current one and those rotated out
    whose tokens may still be valid. Empty with TOKEN_SIGNING_ALGORITHM=HS256."""
    return _cacheable(signing_keys.jwks())


@blp.route("/.well-known/openid-configuration", methods=["GET"],
           operation_id="getOpenIdConfiguration")
@blp.response(200, OpenIdConfigurationSchema)
def openid_configuration() -> Response:
    """The issuer of client tokens, where its keys are, and the signing algorithm."""
    algorithm = settings.current().token_signing_algorithm
    return _cacheable({
        "issuer": tokens.issuer(),
        # Relative only when the request's Host is not one ALLOWED_HOSTS vouches for.
        "jwks_uri": (urls.trusted_base_url() or "") + "/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": [algorithm],
        "token_signing_alg_values_supported": [algorithm],
    })
