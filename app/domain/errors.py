"""Domain errors. Each knows the HTTP status and `error_code` of the wire contract.

The HTTP layer turns any `DomainError` into the error envelope
`{"error": message, "error_code": code, "link": url}`; nothing else is needed to add a new
error. Messages that SDKs compare are the original's words (their tests are cited where
each is raised); the others say plainly what was wrong.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    error_code = "InvalidParameter"
    default_message = "invalid request"

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(DomainError):
    """A call this server cannot answer as asked; the message says what to do instead."""

    status = 400
    error_code = "BadRequest"


class UserAlreadyConfirmed(DomainError):
    status = 400
    error_code = "UserAlreadyConfirmed"


class InvalidParameter(DomainError):
    status = 400
    error_code = "InvalidParameter"


class MissingParameter(DomainError):
    status = 400
    error_code = "MissingParameter"


class LimitExceeded(DomainError):
    status = 400
    error_code = "LimitExceeded"


class ProviderDisabled(DomainError):
    """An action needs a provider that is disabled or absent."""

    status = 400
    error_code = "AuthProviderNotFound"


class AuthError(DomainError):
    """Login with an API key failed. Never says which part was wrong."""

    status = 401
    error_code = "AuthError"
    default_message = "unauthorized"


class InvalidPassword(DomainError):
    """Login with email and password failed. Never says which part was wrong.

    "unauthorized", as realm-dotnet's tests compare ("InvalidPassword: unauthorized") for a
    wrong password and for a deleted user's login.
    """

    status = 401
    error_code = "InvalidPassword"
    default_message = "unauthorized"


class ProviderUnsupported(DomainError):
    """Login through a provider that is disabled or absent."""

    status = 401
    error_code = "AuthProviderNotFound"


class UserDisabled(DomainError):
    status = 401
    error_code = "UserDisabled"
    default_message = "user disabled"


class InvalidSession(DomainError):
    status = 401
    error_code = "InvalidSession"
    default_message = "invalid session"


class Forbidden(DomainError):
    status = 403
    error_code = "Forbidden"
    default_message = "not allowed"


class NotFound(DomainError):
    status = 404
    error_code = "NotFound"
    default_message = "not found"


class GroupNotFound(NotFound):
    error_code = "GroupNotFound"
    default_message = "group not found"


class AppNotFound(NotFound):
    error_code = "AppNotFound"
    default_message = "app not found"


class AuthProviderNotFound(NotFound):
    error_code = "AuthProviderNotFound"
    default_message = "auth provider not found"


class UserNotFound(NotFound):
    error_code = "UserNotFound"
    default_message = "user not found"


class APIKeyNotFound(NotFound):
    error_code = "APIKeyNotFound"
    default_message = "API key not found"


class AdminKeyNotFound(NotFound):
    error_code = "AdminKeyNotFound"
    default_message = "admin key pair not found"


class Conflict(DomainError):
    status = 409
    error_code = "Conflict"


class APIKeyAlreadyExists(Conflict):
    error_code = "APIKeyAlreadyExists"


class AuthProviderAlreadyExists(Conflict):
    error_code = "AuthProviderAlreadyExists"


class AppAlreadyExists(Conflict):
    error_code = "AppAlreadyExists"


class UserAlreadyExists(Conflict):
    error_code = "AccountNameInUse"
    default_message = "name already in use"


class TooManyRequests(DomainError):
    status = 429
    error_code = "TooManyRequests"
    default_message = "too many requests"


class ServiceUnavailable(DomainError):
    """The database went away or never answered (app.domain.availability)."""

    status = 503
    error_code = "ServiceUnavailable"
    default_message = "the database is unavailable; try again shortly"
