"""Request and response schemas of the Admin API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.http.fields import JSONBoolean
from app.http.schemas import IdentitySchema


class StrictSchema(Schema):
    """Unknown fields are refused (400 naming the field), never silently dropped."""


class AdminLoginSchema(StrictSchema):
    username = fields.String(required=True, metadata={"description": "The public key"})
    apiKey = fields.String(
        required=True, load_only=True, metadata={"description": "The private key"}
    )




class RoleSchema(Schema):
    role_name = fields.String(required=True)
    group_id = fields.String(required=True)



class AdminProfileSchema(Schema):
    user_id = fields.String(required=True)
    domain_id = fields.String(required=True)
    type = fields.String(required=True)
    identities = fields.List(fields.Nested(IdentitySchema), required=True)
    data = fields.Dict(required=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)


class AppSchema(Schema):
    _id = fields.String(attribute="id", required=True)
    client_app_id = fields.String(required=True)
    group_id = fields.String(required=True)
    domain_id = fields.String(required=True)
    name = fields.String(required=True)
    location = fields.String(required=True)
    deployment_model = fields.String(required=True)
    product = fields.String(required=True)
    last_modified = fields.Integer(required=True, metadata={"description": "Unix seconds"})


class AppCreateSchema(StrictSchema):
    name = fields.String(required=True)


class ProviderSummarySchema(Schema):
    _id = fields.String(attribute="id", required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    disabled = fields.Boolean(required=True)


class ProviderSchema(ProviderSummarySchema):
    """A provider with its configuration (the list shows only the summary)."""

    config = fields.Dict(required=True)


class ProviderCreateSchema(StrictSchema):
    type = fields.String(required=True, metadata={"enum": ["api-key", "anon-user",
                                                           "local-userpass"]})
    name = fields.String(metadata={"description": "Must equal `type`; defaults to it"})
    disabled = JSONBoolean(load_default=False)
    config = fields.Dict(load_default=dict)


class ProviderPatchSchema(StrictSchema):
    type = fields.String()
    name = fields.String()
    disabled = JSONBoolean()
    config = fields.Dict()




class ApiKeyCreateSchema(StrictSchema):
    name = fields.String(required=True, metadata={
        "description": "1-64 letters, digits, '_' or '-'; unique among the app's server keys"
    })


class UserSchema(Schema):
    _id = fields.String(attribute="id", required=True)
    identities = fields.List(fields.Nested(IdentitySchema), required=True)
    type = fields.String(required=True, metadata={"enum": ["normal", "server"]})
    creation_date = fields.Integer(required=True, metadata={"description": "Unix seconds"})
    last_authentication_date = fields.Integer(required=True, metadata={
        "description": "Unix seconds; 0 when the user never logged in"
    })
    disabled = fields.Boolean(required=True)
    data = fields.Dict(required=True)
    custom_data = fields.Dict(required=True)


class UserCreateSchema(StrictSchema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class UserListArgsSchema(StrictSchema):
    after = fields.String(metadata={"description": "Return users whose _id sorts after this"})
    sort = fields.String(load_default="_id", validate=validate.OneOf(["_id"]))
    desc = fields.Boolean(load_default=False)
    status = fields.String(validate=validate.OneOf(["enabled", "disabled"]))
    provider_types = fields.String(metadata={
        "description": "Comma-separated provider types, e.g. `api-key,local-userpass`"
    })


class VerifyTokenSchema(StrictSchema):
    token = fields.String(required=True)


class VerifiedTokenSchema(Schema):
    """What verify_token answers: the token's claims, or the string "token expired"."""

    sub = fields.String(required=True, metadata={"description": "User ID."})
    exp = fields.Integer(required=True, metadata={"description": "When it expires (Unix s)."})
    iat = fields.Integer(required=True, metadata={"description": "When it was issued (Unix s)."})
    iss = fields.String(required=True, metadata={"description": "The issuer (its session)."})
    domain_id = fields.String(required=True)
    device_id = fields.String(required=True)
    custom_user_data = fields.Dict(metadata={
        "description": "The user's custom data, when the token carries some."})

    class Meta:
        description = ('The claims of a valid, unexpired token. A correctly signed token past '
                       'its expiry is answered 200 with the JSON string "token expired", as '
                       "the official document says; any other token is a 401 InvalidSession "
                       '"invalid session".')

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        # The documented answer for an expired token is a bare JSON string.
        if isinstance(obj, str):
            return obj
        return super().dump(obj, many=many)
