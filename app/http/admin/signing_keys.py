"""Admin API (our extension): the keys that sign client tokens, and their rotation.

The signing key belongs to the whole server, not to a group's apps, so any admin may
list and rotate it (as anyone at the server may with `appservices admin
rotate-signing-key`). Private material is never in an answer.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from marshmallow import Schema, fields

from app.domain import signing_keys
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("admin-signing-keys", __name__,
                       description="Admin API: token signing keys (an extension)")


class SigningKeySchema(Schema):
    kid = fields.String(required=True)
    algorithm = fields.String(required=True, metadata={"example": "ES256"})
    created_at = fields.Integer(required=True, metadata={"description": "Unix seconds"})
    signing = fields.Boolean(required=True, metadata={
        "description": "true for the key that signs new tokens"})
    retired_at = fields.Integer(allow_none=True, required=True, metadata={
        "description": "When it stopped signing (Unix seconds); null while it signs"})
    retires_at = fields.Integer(allow_none=True, required=True, metadata={
        "description": "When it leaves the JWKS and its tokens stop being accepted: "
                       "when the longest-lived token it signed has expired"})
    public_jwk = fields.Dict(required=True, metadata={"description": "As the JWKS serves it"})


def _described(key: signing_keys.PublicKey) -> dict[str, Any]:
    described = asdict(key)
    described["public_jwk"] = described.pop("jwk")
    described["signing"] = key.retired_at is None
    return described


@blp.route("/signing_keys", methods=["GET"], operation_id="adminListSigningKeys",
           tags=["signing keys"])
@admin_access_required
@blp.response(200, SigningKeySchema(many=True))
def list_signing_keys() -> list[dict[str, Any]]:
    """List the published token signing keys, the one that signs first."""
    return [_described(key) for key in signing_keys.list_keys(fresh=True)]


@blp.route("/signing_keys/rotate", methods=["POST"], operation_id="adminRotateSigningKey",
           tags=["signing keys"])
@admin_access_required
@blp.response(201, SigningKeySchema)
@errors(400)
def rotate_signing_key() -> dict[str, Any]:
    """Make a new key sign from now on. The previous one stays in the JWKS, and its
    tokens keep working, until the longest-lived token it signed has expired."""
    return _described(signing_keys.rotate())
