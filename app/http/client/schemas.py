"""Request and response schemas of the Client API.

Requests ignore fields they do not know (app.http.schemas.RequestSchema): logins in
particular, where SDKs send more than the credentials (device information, a provider
name) and differ in what.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from app.http.schemas import EXPIRES_AT, IdentitySchema, RequestSchema


class LocationSchema(Schema):
    deployment_model = fields.String(required=True)
    location = fields.String(required=True)
    hostname = fields.String(required=True, metadata={
        "description": "Base URL the SDK sends every later request to: this server"
    })
    ws_hostname = fields.String(required=True)


class DeviceSchema(Schema):
    class Meta:
        unknown = EXCLUDE
        description = (
            "The device the SDK logs in from. A known deviceId is reused; a login that "
            "describes no device gets the device id 000000000000000000000000."
        )

    deviceId = fields.Raw(metadata={
        "description": "A device id from an earlier login, as a string or EJSON {\"$oid\"}"
    })
    appId = fields.String()
    appVersion = fields.String()
    platform = fields.String()
    platformVersion = fields.String()
    sdk = fields.String(metadata={"description": "The SDK's name, e.g. `Realm Web` (shown "
                                                 "in the login's app log entry and the "
                                                 "key's `last_used`)"})
    sdkVersion = fields.String()


class LoginOptionsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    device = fields.Nested(DeviceSchema, load_default=dict)


class LoginSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    key = fields.String(load_only=True, metadata={"description": "api-key: the key value"})
    username = fields.String(metadata={"description": "local-userpass: the email"})
    password = fields.String(load_only=True, metadata={"description": "local-userpass"})
    provider = fields.String(metadata={"description": "Ignored; the path names the provider"})
    options = fields.Nested(LoginOptionsSchema, load_default=dict)


class LoginArgsSchema(Schema):
    link = fields.Boolean(load_default=False, metadata={
        "description": "Link the identity to the user of the access token sent"
    })



class RegisterSchema(RequestSchema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)




class ProfileSchema(Schema):
    user_id = fields.String(required=True)
    domain_id = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["normal", "server"]})
    identities = fields.List(fields.Nested(IdentitySchema), required=True)
    data = fields.Dict(required=True)
    custom_data = fields.Dict(required=True)




class UserApiKeyCreateSchema(RequestSchema):
    name = fields.String(required=True, metadata={
        "description": "1-64 letters, digits, '_' or '-'; unique among the user's keys"
    })
    expires_at = fields.Raw(allow_none=True, metadata=EXPIRES_AT)
