"""Request and response schemas of the Admin API."""

from __future__ import annotations

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


class UserDeviceSchema(Schema):
    _id = fields.String(required=True)
    platform = fields.String(required=True)
    platform_version = fields.String(required=True)
    app_id = fields.String(required=True, metadata={"description": "The SDK's appId"})
    app_version = fields.String(required=True)
    sdk_version = fields.String(required=True)
    created_at = fields.Integer(required=True, metadata={"description": "Unix seconds"})
    last_seen = fields.Integer(required=True, metadata={
        "description": "Unix seconds of the device's last login"
    })


class PendingLoginIdSchema(Schema):
    id_type = fields.String(required=True, metadata={"enum": ["email"]})
    id = fields.String(required=True, metadata={"description": "The email address"})


class PendingUserSchema(Schema):
    _id = fields.String(required=True)
    domain_id = fields.String(required=True)
    user_id = fields.String(required=True, metadata={
        "description": "Empty: the user appears at its first login after confirmation"
    })
    login_ids = fields.List(fields.Nested(PendingLoginIdSchema), required=True)


class PendingUserListArgsSchema(StrictSchema):
    after = fields.String(metadata={
        "description": "The `_id` of the last pending user of the previous page"
    })


class RefreshTokenExpirationSchema(Schema):
    expiration_time_seconds = fields.Raw(required=True, metadata={
        "type": "number", "minimum": 1800, "maximum": 5 * 365 * 24 * 3600,
        "description": "How long a new session's refresh token lives: 30 minutes to 5 years",
    })


class AdminAuthProviderSchema(Schema):
    name = fields.String(required=True)
    type = fields.String(required=True)
    disabled = fields.Boolean(required=True)


class VerifyTokenSchema(StrictSchema):
    token = fields.String(required=True)
