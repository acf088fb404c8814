"""The settings the domain rules need, handed over once by the app factory.

They are the service's settings (app.config), those the domain reads, under lower-case
names: declared, defaulted and checked there, once. The domain cannot read Flask's
config (it knows nothing of the web), and threading a settings object through every
call would add noise to every signature; the process has exactly one configuration,
so it lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from app.config import Settings

_SERVICE = Settings()  # the defaults
DEFAULT_TOKEN_ISSUER = "urn:appservices-auth"  # noqa: S105 (a name, not a secret)
DERIVED = {"token_issuer"}  # not a setting of its own: from_config works it out


@dataclass(frozen=True)
class DomainSettings:
    """Each field is the service setting of the same name in upper case, and its default."""

    secret_key: str = _SERVICE.SECRET_KEY  # create_app always installs the real one
    # Client tokens: ES256, RS256, EdDSA, or HS256 with SECRET_KEY as before.
    token_signing_algorithm: str = _SERVICE.TOKEN_SIGNING_ALGORITHM
    # Encrypts the signing keys' private halves; empty: SECRET_KEY does.
    signing_key_encryption_key: str = _SERVICE.SIGNING_KEY_ENCRYPTION_KEY
    bcrypt_rounds: int = _SERVICE.BCRYPT_ROUNDS
    # log2 of scrypt's N for admin private keys (app.domain.admin_secrets); tests lower it
    # as they lower bcrypt_rounds.
    admin_key_scrypt_log_n: int = _SERVICE.ADMIN_KEY_SCRYPT_LOG_N
    access_token_seconds: int = _SERVICE.ACCESS_TOKEN_SECONDS
    refresh_token_seconds: int = _SERVICE.REFRESH_TOKEN_SECONDS
    admin_refresh_token_seconds: int = _SERVICE.ADMIN_REFRESH_TOKEN_SECONDS
    throttle_failures_per_address: int = _SERVICE.THROTTLE_FAILURES_PER_ADDRESS
    throttle_failures_per_app: int = _SERVICE.THROTTLE_FAILURES_PER_APP
    throttle_failures_per_account: int = _SERVICE.THROTTLE_FAILURES_PER_ACCOUNT
    throttle_registrations_per_address: int = _SERVICE.THROTTLE_REGISTRATIONS_PER_ADDRESS
    throttle_window_seconds: int = _SERVICE.THROTTLE_WINDOW_SECONDS
    # Live sessions per user; a login over it ends the user's oldest (app.domain.sessions).
    max_sessions_per_user: int = _SERVICE.MAX_SESSIONS_PER_USER
    # Days app log entries are kept before the pruner deletes them (app.domain.app_logs).
    log_retention_days: int = _SERVICE.LOG_RETENTION_DAYS
    # How long a successful request's entry may wait for its batch (app.domain.app_logs).
    app_log_batch_ms: int = _SERVICE.APP_LOG_BATCH_MS
    # `iss` of client tokens, derived rather than set: PUBLIC_URL when set, so that it is
    # the same on every server and OIDC discovery (issuer + /.well-known/openid-
    # configuration) finds the keys; otherwise a fixed name.
    token_issuer: str = DEFAULT_TOKEN_ISSUER

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DomainSettings:
        """Take the domain's settings from the service's (a Flask config, or `asdict`)."""
        values = {spec.name: config[spec.name.upper()] for spec in fields(cls)
                  if spec.name not in DERIVED}
        issuer = str(config.get("PUBLIC_URL") or "").rstrip("/")
        return cls(**values, token_issuer=issuer or DEFAULT_TOKEN_ISSUER)


_current = DomainSettings()


def configure(settings: DomainSettings) -> None:
    """Install the settings; called by `create_app` (and by unit tests)."""
    global _current
    _current = settings


def current() -> DomainSettings:
    """Return the installed settings."""
    return _current
