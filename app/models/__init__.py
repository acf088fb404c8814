"""Peewee models only: no rules here, those live in app.domain."""

from app.models.admin import AdminKey, AdminKeyGroup, AdminSession
from app.models.api_key import ApiKey
from app.models.app_log import AppLog
from app.models.application import App
from app.models.auth_provider import AuthProvider
from app.models.group import Group
from app.models.login_failure import LoginFailure
from app.models.session import Session
from app.models.signing_key import SigningKey
from app.models.user import Device, Identity, PasswordCredential, User
from app.storage import SchemaVersion

ALL_MODELS = [
    SchemaVersion,
    Group,
    AdminKey,
    AdminKeyGroup,
    AdminSession,
    App,
    AuthProvider,
    User,
    Identity,
    PasswordCredential,
    Device,
    ApiKey,
    Session,
    LoginFailure,
    SigningKey,
    AppLog,
]

__all__ = [
    "ALL_MODELS",
    "AdminKey",
    "AdminKeyGroup",
    "AdminSession",
    "ApiKey",
    "App",
    "AppLog",
    "AuthProvider",
    "Device",
    "Group",
    "Identity",
    "LoginFailure",
    "PasswordCredential",
    "SchemaVersion",
    "Session",
    "SigningKey",
    "User",
]
