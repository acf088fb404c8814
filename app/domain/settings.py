"""The settings the domain rules need, handed over once by the app factory.

The domain cannot read Flask's config (it knows nothing of the web), and threading a
settings object through every call would add noise to every signature; the process
has exactly one configuration, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainSettings:
    secret_key: str = ""  # create_app always installs the real one
    # Client tokens (issue 14): ES256, RS256, EdDSA, or HS256 with SECRET_KEY as before.
    token_signing_algorithm: str = "ES256"  # noqa: S105 (an algorithm's name)
    # `iss` of client tokens: PUBLIC_URL when set, so that it is the same on every server
    # and OIDC discovery (issuer + /.well-known/openid-configuration) finds the keys.
    token_issuer: str = "urn:appservices-auth"  # noqa: S105 (a name)
    # Encrypts the signing keys' private halves; empty: SECRET_KEY does.
    signing_key_encryption_key: str = ""
    bcrypt_rounds: int = 12
    # log2 of scrypt's N for admin private keys (app.domain.admin_secrets): 14 is 16 MiB
    # and tens of milliseconds per login; tests lower it as they lower bcrypt_rounds.
    admin_key_scrypt_log_n: int = 14
    access_token_seconds: int = 30 * 60
    refresh_token_seconds: int = 60 * 24 * 3600
    admin_refresh_token_seconds: int = 24 * 3600
    # Failed logins allowed per window (app.domain.throttle); 0 switches a scope off.
    throttle_failures_per_address: int = 20
    throttle_failures_per_app: int = 500
    throttle_failures_per_account: int = 10
    throttle_registrations_per_address: int = 100
    throttle_window_seconds: int = 300


_current = DomainSettings()


def configure(settings: DomainSettings) -> None:
    """Install the settings; called by `create_app`."""
    global _current
    _current = settings


def current() -> DomainSettings:
    """Return the installed settings."""
    return _current
