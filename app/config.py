"""Settings from the environment, with safe defaults.

Every setting has an environment variable; `Settings.from_env()` reads them once at
start-up. Secrets that must survive a restart but were not configured (the token
signing key) are generated once and kept under the instance folder.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIN_REFRESH_SECONDS = 30 * 60
# The names this machine answers to on its own; tests, the quickstart and realm-web's
# interop tests reach the service at one of them.
LOOPBACK_HOSTS = "localhost,127.0.0.1,[::1]"
# A host name or an IPv4 or bracketed IPv6 address, with an optional port (a Host header).
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?",
                   re.IGNORECASE | re.ASCII)
MAX_REFRESH_SECONDS = 5 * 365 * 24 * 3600


class ConfigError(ValueError):
    """A setting from the environment cannot be used."""


def _int_env(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secure_cookie_env(name: str) -> str:
    raw = (os.environ.get(name) or "auto").strip().lower()
    if raw == "auto":
        return raw
    if raw in {"1", "true", "yes", "on"}:
        return "true"
    if raw in {"0", "false", "no", "off"}:
        return "false"
    raise ConfigError(f"{name} must be auto, true or false, got {raw!r}")


SIGNING_ALGORITHMS = ("ES256", "RS256", "EdDSA", "HS256")


def _signing_algorithm_env(name: str) -> str:
    raw = (os.environ.get(name) or "ES256").strip()
    for algorithm in SIGNING_ALGORITHMS:
        if raw.lower() == algorithm.lower():
            return algorithm
    raise ConfigError(f"{name} must be one of {', '.join(SIGNING_ALGORITHMS)}, got {raw!r}")


def host_name(host: str) -> str | None:
    """The name part of a `Host` value (`auth.example.com:8443` -> `auth.example.com`),
    lower-cased and without IPv6 brackets; None when it is not a host name at all."""
    match = _HOST.fullmatch(host)
    return match.group("name").lower().strip("[]") if match else None


def host_names(raw: str) -> frozenset[str]:
    """The names of a comma-separated ALLOWED_HOSTS value (see `host_name`)."""
    names = (host_name(entry.strip()) for entry in raw.split(",") if entry.strip())
    return frozenset(name for name in names if name)


def _hosts_env(name: str, default: str) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for entry in raw.split(","):
        if entry.strip() and host_name(entry.strip()) is None:
            raise ConfigError(f"{name} lists host names separated by commas (no scheme or "
                              f"path), e.g. auth.example.com,localhost; got {entry.strip()!r}")
    return raw


def load_or_create_secret(instance_path: Path) -> str:
    """Return the signing key kept under the instance folder, creating it on first use.

    Kept in a file so that a restart does not invalidate every session. The file is
    created with mode 0600 and with O_EXCL, so two workers starting together agree.
    """
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)  # new: the owner's alone
    path = instance_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if value:
            return value
        raise ConfigError(f"{path} is empty; delete it or set SECRET_KEY") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with. Field names are Flask config keys."""

    INSTANCE_PATH: str = "instance"
    DATABASE_URL: str = ""
    SECRET_KEY: str = ""
    PUBLIC_URL: str = ""
    # Used only while PUBLIC_URL is unset: the Host names the Client API's location may
    # send SDKs to (anyone can send any Host header; a cache may keep the answer).
    ALLOWED_HOSTS: str = LOOPBACK_HOSTS
    BCRYPT_ROUNDS: int = 12
    ADMIN_KEY_SCRYPT_LOG_N: int = 14
    ACCESS_TOKEN_SECONDS: int = 30 * 60
    REFRESH_TOKEN_SECONDS: int = 60 * 24 * 3600
    ADMIN_REFRESH_TOKEN_SECONDS: int = 24 * 3600
    MAX_CONTENT_LENGTH: int = 64 * 1024
    DATABASE_POOL_SIZE: int = 8
    ADMIN_PUBLIC_KEY: str = ""
    ADMIN_PRIVATE_KEY: str = ""
    BOOTSTRAP_ADMIN: bool = True
    LOG_LEVEL: str = "INFO"
    CORS_ALLOWED_ORIGINS: str = "*"
    TRUSTED_PROXY_HOPS: int = 0
    TEST_CLOCK: bool = False
    THROTTLE_FAILURES_PER_ADDRESS: int = 20
    THROTTLE_FAILURES_PER_APP: int = 500
    THROTTLE_FAILURES_PER_ACCOUNT: int = 10
    THROTTLE_REGISTRATIONS_PER_ADDRESS: int = 100
    THROTTLE_WINDOW_SECONDS: int = 300
    # The console's session cookie: "auto" marks it Secure when the request came over
    # https (behind a proxy: with TRUSTED_PROXY_HOPS set), "true" always, "false" never.
    CONSOLE_COOKIE_SECURE: str = "auto"
    # Client tokens' signature (issue 14) and the key that encrypts the signing keys.
    TOKEN_SIGNING_ALGORITHM: str = "ES256"  # noqa: S105 (an algorithm's name)
    SIGNING_KEY_ENCRYPTION_KEY: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        """Read every setting from the environment; see the README's configuration table."""
        instance = Path(os.environ.get("APPSERVICES_INSTANCE_PATH") or "instance").absolute()
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'appservices.db'}"
        return cls(
            INSTANCE_PATH=str(instance),
            DATABASE_URL=database_url,
            SECRET_KEY=os.environ.get("SECRET_KEY", ""),
            PUBLIC_URL=os.environ.get("PUBLIC_URL", "").rstrip("/"),
            ALLOWED_HOSTS=_hosts_env("ALLOWED_HOSTS", LOOPBACK_HOSTS),
            BCRYPT_ROUNDS=_int_env("BCRYPT_ROUNDS", 12, minimum=4, maximum=16),
            ADMIN_KEY_SCRYPT_LOG_N=_int_env("ADMIN_KEY_SCRYPT_LOG_N", 14, minimum=4,
                                            maximum=20),
            ACCESS_TOKEN_SECONDS=_int_env("ACCESS_TOKEN_SECONDS", 30 * 60, minimum=60,
                                          maximum=24 * 3600),
            REFRESH_TOKEN_SECONDS=_int_env("REFRESH_TOKEN_SECONDS", 60 * 24 * 3600,
                                           minimum=MIN_REFRESH_SECONDS,
                                           maximum=MAX_REFRESH_SECONDS),
            ADMIN_REFRESH_TOKEN_SECONDS=_int_env("ADMIN_REFRESH_TOKEN_SECONDS", 24 * 3600,
                                                 minimum=MIN_REFRESH_SECONDS,
                                                 maximum=MAX_REFRESH_SECONDS),
            MAX_CONTENT_LENGTH=_int_env("MAX_BODY_BYTES", 64 * 1024, minimum=1024,
                                        maximum=16 * 1024 * 1024),
            DATABASE_POOL_SIZE=_int_env("DATABASE_POOL_SIZE", 8, minimum=1, maximum=200),
            ADMIN_PUBLIC_KEY=os.environ.get("APPSERVICES_ADMIN_PUBLIC_KEY", ""),
            ADMIN_PRIVATE_KEY=os.environ.get("APPSERVICES_ADMIN_PRIVATE_KEY", ""),
            BOOTSTRAP_ADMIN=_bool_env("APPSERVICES_BOOTSTRAP_ADMIN", True),
            LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO").upper(),
            CORS_ALLOWED_ORIGINS=os.environ.get("CORS_ALLOWED_ORIGINS", "*"),
            TRUSTED_PROXY_HOPS=_int_env("TRUSTED_PROXY_HOPS", 0, minimum=0, maximum=5),
            TEST_CLOCK=_bool_env("APPSERVICES_TEST_CLOCK", False),
            CONSOLE_COOKIE_SECURE=_secure_cookie_env("CONSOLE_COOKIE_SECURE"),
            TOKEN_SIGNING_ALGORITHM=_signing_algorithm_env("TOKEN_SIGNING_ALGORITHM"),
            SIGNING_KEY_ENCRYPTION_KEY=os.environ.get("SIGNING_KEY_ENCRYPTION_KEY", ""),
            THROTTLE_FAILURES_PER_ADDRESS=_int_env("THROTTLE_FAILURES_PER_ADDRESS", 20,
                                                   minimum=0, maximum=1_000_000),
            THROTTLE_FAILURES_PER_APP=_int_env("THROTTLE_FAILURES_PER_APP", 500,
                                               minimum=0, maximum=1_000_000),
            THROTTLE_FAILURES_PER_ACCOUNT=_int_env("THROTTLE_FAILURES_PER_ACCOUNT", 10,
                                                   minimum=0, maximum=1_000_000),
            THROTTLE_REGISTRATIONS_PER_ADDRESS=_int_env(
                "THROTTLE_REGISTRATIONS_PER_ADDRESS", 100, minimum=0, maximum=1_000_000),
            THROTTLE_WINDOW_SECONDS=_int_env("THROTTLE_WINDOW_SECONDS", 300, minimum=10,
                                             maximum=24 * 3600),
        )

    def as_flask_config(self) -> dict[str, Any]:
        """Return the settings as a mapping for `app.config.update`."""
        values = asdict(self)
        extra = values.pop("extra")
        values.update(extra)
        return values
