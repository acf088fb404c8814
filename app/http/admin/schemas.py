"""Request and response schemas of the Admin API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, validate
from webargs.fields import DelimitedList

from app.domain import app_logs, apps, key_values
from app.http.fields import JSONBoolean
from app.http.schemas import EXPIRES_AT, IdentitySchema, RequestSchema


class StrictSchema(RequestSchema):
    """An Admin API request: types checked strictly, undeclared fields ignored."""


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
    provider_region = fields.String(required=True)
    deployment_model = fields.String(required=True)
    environment = fields.String(required=True, metadata={
        "description": "`\"\"` when the app has no environment"
    })
    product = fields.String(required=True)
    last_modified = fields.Integer(required=True, metadata={"description": "Unix seconds"})


class AppCreateSchema(StrictSchema):
    """An app to create: every field of the official document is taken. The deployment
    settings are kept and shown (nothing here runs in a cloud region); `template_id` and
    `data_source` concern what this service does not run, and are ignored."""

    name = fields.String(required=True)
    location = fields.String(validate=validate.OneOf(apps.LOCATIONS), metadata={
        "description": "Defaults to the location of `provider_region`, else US-VA"
    })
    provider_region = fields.String(validate=validate.OneOf(apps.PROVIDER_REGIONS), metadata={
        "description": "Defaults to the first region of `location`, else aws-us-east-1"
    })
    deployment_model = fields.String(validate=validate.OneOf(apps.DEPLOYMENT_MODELS),
                                     metadata={"description": "Defaults to GLOBAL"})
    environment = fields.String(allow_none=True, validate=validate.OneOf(apps.ENVIRONMENTS),
                                metadata={"description": "Defaults to `\"\"` (none)"})
    template_id = fields.String(metadata={"description": "Accepted and ignored"})
    data_source = fields.Dict(metadata={"description": "Accepted and ignored"})


class AppCreateArgsSchema(StrictSchema):
    product = fields.String(validate=validate.OneOf(apps.PRODUCTS),
                            metadata={"description": "Defaults to standard"})
    defaults = fields.Boolean(metadata={"description": "Accepted and ignored"})


# `defaults` names the apps listed when no product is given: the standard ones.
LIST_PRODUCTS = (*apps.PRODUCTS, "defaults")


def _known_products(products: list[str]) -> None:
    # A plain function, not validate.ContainsOnly: apispec would put that one's enum on
    # the array instead of its items.
    if not set(products) <= set(LIST_PRODUCTS):
        raise ValidationError("each must be one of: " + ", ".join(LIST_PRODUCTS))


class AppListArgsSchema(StrictSchema):
    product = DelimitedList(
        fields.String(metadata={"enum": list(LIST_PRODUCTS)}),
        validate=_known_products,
        metadata={
            "description": "Comma-separated products, e.g. `atlas,data-api`; without it "
                           "(or with `defaults`) only `standard` apps are listed"
        },
    )


class ProviderSummarySchema(Schema):
    _id = fields.String(attribute="id", required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    disabled = fields.Boolean(required=True)


class MetadataFieldSchema(StrictSchema):
    required = JSONBoolean(metadata={"description": "Whether a login needs it; false when "
                                                    "left out"})
    name = fields.String(required=True, validate=validate.Length(min=1))
    field_name = fields.String()


class ProviderSchema(ProviderSummarySchema):
    """A provider with its configuration (the list shows only the summary)."""

    config = fields.Dict(required=True)
    metadata_fields = fields.List(fields.Nested(MetadataFieldSchema), metadata={
        "description": "Present when the provider has any"
    })

    @post_dump
    def _leave_out_no_metadata(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Providers without any answer as they always did.
        if not data.get("metadata_fields"):
            data.pop("metadata_fields", None)
        return data


class ProviderBodySchema(StrictSchema):
    """What creating and updating a provider take: every field of the official document.
    `metadata_fields` is kept; `secret_config`, `redirect_uris` and `domain_restrictions`
    concern providers this service does not have, and are ignored."""

    type = fields.String(metadata={"enum": ["api-key", "anon-user", "local-userpass"]})
    name = fields.String(metadata={"description": "Must equal `type`; defaults to it"})
    disabled = JSONBoolean()
    config = fields.Dict()
    metadata_fields = fields.List(fields.Nested(MetadataFieldSchema))
    secret_config = fields.Dict(metadata={"description": "Accepted and ignored"})
    redirect_uris = fields.List(fields.String(), metadata={"description": "Accepted and "
                                                                          "ignored"})
    domain_restrictions = fields.List(fields.String(), metadata={
        "description": "Accepted and ignored"
    })


class ProviderCreateSchema(ProviderBodySchema):
    type = fields.String(required=True, metadata={"enum": ["api-key", "anon-user",
                                                           "local-userpass"]})
    disabled = JSONBoolean(load_default=False)
    config = fields.Dict(load_default=dict)


class ProviderPatchSchema(ProviderBodySchema):
    _id = fields.String(metadata={
        "description": "When sent (the app importer sends the whole provider back), it must "
                       "be the provider's own"
    })




class ApiKeyCreateSchema(StrictSchema):
    name = fields.String(required=True, metadata={
        "description": "1-64 letters, digits, '_' or '-'; unique among the app's server keys"
    })
    expires_at = fields.Raw(allow_none=True, metadata=EXPIRES_AT)


class ApiKeyRollSchema(StrictSchema):
    grace_period_seconds = fields.Raw(load_default=0, metadata={
        "type": "integer", "minimum": 0, "maximum": key_values.MAX_GRACE_SECONDS,
        "default": 0,
        "description": "How long the value before the roll keeps logging in: 0 (it stops "
                       "at once, and the sessions it opened end) to 604800 (7 days)",
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


class AppLogArgsSchema(StrictSchema):
    """The filters of an app's log, as the original's document names them."""

    co_id = fields.String(metadata={
        "description": "Only the entries of the request with this correlation id (the id "
                       "an error's `link` and the X-Appservices-Request-Id header name)"})
    errors_only = fields.String(metadata={
        "description": "Present, whatever its value: only entries of failed requests. "
                       "Absent: every entry"})
    user_id = fields.String(metadata={"description": "Only entries about this user"})
    start_date = fields.String(metadata={
        "description": "ISO 8601 date and time (UTC when it names no offset); only entries "
                       "that started after it (exclusive)"})
    end_date = fields.String(metadata={
        "description": "ISO 8601 date and time; only entries that started at or before it "
                       "(inclusive). Pass a page's `nextEndDate` here for the next page"})
    skip = fields.Integer(validate=validate.Range(min=0), metadata={
        "description": "Matching entries to skip first; pass a page's `nextSkip` here"})
    limit = fields.Integer(validate=validate.Range(min=1, max=100), metadata={
        "description": "At most this many entries (1-100, default 100)"})
    type = fields.String(validate=validate.OneOf(app_logs.TYPES), metadata={
        "description": "Only entries of this type; this server keeps `AUTH` and `API_KEY` "
                       "entries, so the other types find none"})


class AuthEventSchema(Schema):
    type = fields.String(required=True, metadata={"example": "login",
                                                  "description": "login, refresh or logout"})
    provider = fields.String(metadata={"example": "api-key"})


class AppLogSchema(Schema):
    """One entry of an app's log; fields without a value are left out."""

    _id = fields.String(required=True)
    co_id = fields.String(required=True, metadata={
        "description": "The correlation id of the request that made the entry"})
    type = fields.String(required=True, metadata={"enum": list(app_logs.KEPT_TYPES)})
    domain_id = fields.String(required=True)
    app_id = fields.String(required=True)
    group_id = fields.String(required=True)
    request_url = fields.String(required=True, metadata={
        "description": "The request's path (never its query string)"})
    request_method = fields.String(required=True)
    started = fields.String(required=True, metadata={"example": "2024-05-01T12:00:00.123Z"})
    completed = fields.String(required=True, metadata={"example": "2024-05-01T12:00:00.125Z"})
    user_id = fields.String(metadata={
        "description": "The user logged in, refreshed or logged out; for API_KEY entries "
                       "the key's owner (a server key's server user)"})
    remote_ip_address = fields.String()
    status = fields.Integer(required=True, metadata={"example": 200})
    error = fields.String()
    error_code = fields.String()
    platform = fields.String(metadata={"description": "From the login's options.device"})
    platform_version = fields.String()
    sdk_name = fields.String()
    sdk_version = fields.String()
    auth_event = fields.Nested(AuthEventSchema, metadata={"description": "AUTH entries"})
    messages = fields.List(fields.String(), required=True, metadata={
        "description": "API_KEY entries: the action and the key (name and id, never its "
                       "value); entries of Admin API calls: the admin key's public key"})


class AppLogPageSchema(Schema):
    logs = fields.List(fields.Nested(AppLogSchema), required=True, metadata={
        "description": "Newest first, at most 100"})
    nextEndDate = fields.String(metadata={
        "description": "Present when more entries match: send it as `end_date` for the "
                       "next page"})
    nextSkip = fields.Integer(metadata={
        "description": "Present when the next page's first entry started at "
                       "`nextEndDate` too: send it as `skip` with it"})
