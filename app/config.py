"""Settings from the environment, with safe defaults: each declared once, here.

Every setting is one field of `Settings`: its name (the Flask config key), type and
default, with the environment variable, bounds and meaning beside them (`setting`).
`Settings.from_env()` reads them once at start-up, the domain's settings are taken from
them (app.domain.settings), and the Configuration table (docs/configuration.md) is written
from them (`configuration_table`; tests/unit/test_config_table.py compares). Secrets that must
survive a restart but were not configured (the token signing key) are generated once
and kept under the instance folder.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

MIN_REFRESH_SECONDS = 30 * 60
MAX_REFRESH_SECONDS = 5 * 365 * 24 * 3600
# The names this machine answers to on its own; tests, the quickstart and realm-web's
# interop tests reach the service at one of them.
LOOPBACK_HOSTS = "localhost,127.0.0.1,[::1]"
# A host name or an IPv4 or bracketed IPv6 address, with an optional port (a Host header).
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?",
                   re.IGNORECASE | re.ASCII)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_COUNT = 1_000_000  # the most a throttle limit may be set to


class ConfigError(ValueError):
    """A setting from the environment cannot be used."""


@dataclass(frozen=True)
class Declared:
    """What a setting says of itself besides its name, type and default."""

    env: str  # the environment variable it is read from
    doc: str  # its meaning, as the Configuration table (docs/configuration.md) gives it
    minimum: int | None = None
    maximum: int | None = None
    # How the Configuration table shows the default (and its bounds), when the bare value
    # says too little.
    shown: str | None = None
    # Turns the variable's text into the value, or raises ConfigError (text settings only).
    parse: Callable[[str, str], str] | None = None


def setting(default: Any, *, env: str, doc: str, minimum: int | None = None,
            maximum: int | None = None, shown: str | None = None,
            parse: Callable[[str, str], str] | None = None) -> Any:
    """Declare one setting of `Settings`: its default, variable, bounds and meaning."""
    return field(default=default, metadata={
        "declared": Declared(env, doc, minimum, maximum, shown, parse)})


SIGNING_ALGORITHMS = ("ES256", "RS256", "EdDSA", "HS256")


def _signing_algorithm(name: str, raw: str) -> str:
    raw = raw.strip()
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


def _host_list(name: str, raw: str) -> str:
    for entry in raw.split(","):
        if entry.strip() and host_name(entry.strip()) is None:
            raise ConfigError(f"{name} lists host names separated by commas (no scheme or "
                              f"path), e.g. auth.example.com,localhost; got {entry.strip()!r}")
    return raw


def _cookie_secure(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value == "auto":
        return value
    if value in _TRUE:
        return "true"
    if value in _FALSE:
        return "false"
    raise ConfigError(f"{name} must be auto, true or false, got {value!r}")


def _without_trailing_slash(_name: str, raw: str) -> str:
    return raw.rstrip("/")


def _upper(_name: str, raw: str) -> str:
    return raw.upper()


LOG_FORMATS = ("text", "json")


def _log_format(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_FORMATS)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with. Field names are Flask config keys."""

    DATABASE_URL: str = setting(
        "", env="DATABASE_URL", shown="`sqlite:///<instance>/appservices.db`",
        doc="`sqlite:///relative/path.db`, `sqlite:////absolute/path.db` or "
            "`postgresql://user:password@host:5432/dbname` (query parameters go to the "
            "driver, psycopg 3, e.g. `?sslmode=require`; statements a connection runs again "
            "and again are prepared on the server, `?prepare_threshold=none` turns that off "
            "for a pooler that cannot keep them, such as PgBouncer before 1.21 in "
            "transaction mode). Tables are created at start-up.")
    INSTANCE_PATH: str = setting(
        "instance", env="APPSERVICES_INSTANCE_PATH",
        shown="`./instance` (relative to the current directory)",
        doc="Folder for the default SQLite database, the generated signing key and the "
            "first start's admin pair (when stderr is no terminal). Created with mode 0700; "
            "the SQLite database and its `-wal` / `-shm` files are 0600 (and tightened to "
            "that at start-up if an older release left them readable by everyone).")
    SECRET_KEY: str = setting(
        "", env="SECRET_KEY", shown="generated once into `<instance>/secret_key` (mode 0600)",
        doc="Signs Admin API tokens (and client tokens with `TOKEN_SIGNING_ALGORITHM=HS256`) "
            "and, unless `SIGNING_KEY_ENCRYPTION_KEY` is set, encrypts the client tokens' "
            "signing keys. Set it explicitly (the same value on every server) when several "
            "servers share one PostgreSQL; changing it logs everyone out, and a server "
            "started with another value than the one that encrypted the signing keys "
            "refuses to start, saying so.")
    PUBLIC_URL: str = setting(
        "", env="PUBLIC_URL", parse=_without_trailing_slash,
        shown="the request's own base URL, for a host in `ALLOWED_HOSTS`",
        doc="This server's base URL as clients see it, e.g. `https://auth.example.com`; the "
            "Client API's `location` answer sends SDKs there. It is also the `iss` of client "
            "tokens and the `issuer` of `/.well-known/openid-configuration` (unset: "
            "`urn:appservices-auth`). Set it whenever other machines use the service "
            "(`serve` warns when it listens beyond this machine without it).")
    # Used only while PUBLIC_URL is unset: anyone can send any Host header, and a cache
    # may keep the answer.
    ALLOWED_HOSTS: str = setting(
        LOOPBACK_HOSTS, env="ALLOWED_HOSTS", parse=_host_list,
        doc="Only while `PUBLIC_URL` is unset: comma-separated host names (no scheme or "
            "port) whose `Host` header (or a trusted proxy's `X-Forwarded-Host`) the Client "
            "API's `location` may echo back to SDKs. A request for any other host gets 400 "
            "`InvalidParameter` telling the operator to set `PUBLIC_URL` or list the name "
            "here, so a forged `Host` header or a poisoned cache cannot send SDKs to another "
            "server.")
    TRUSTED_PROXY_HOPS: int = setting(
        0, env="TRUSTED_PROXY_HOPS", minimum=0, maximum=5,
        doc="How many reverse proxies in front of the service set `X-Forwarded-*`; only "
            "then are those headers believed (for the base URL the Client API reports).")
    CORS_ALLOWED_ORIGINS: str = setting(
        "*", env="CORS_ALLOWED_ORIGINS",
        doc="Comma-separated origins whose browsers may call the Client API (realm-web runs "
            "in browsers). The Admin API sends no CORS headers.")
    BCRYPT_ROUNDS: int = setting(
        12, env="BCRYPT_ROUNDS", minimum=4, maximum=16,
        doc="bcrypt cost for email/password users.")
    ADMIN_KEY_SCRYPT_LOG_N: int = setting(
        14, env="ADMIN_KEY_SCRYPT_LOG_N", minimum=4, maximum=20,
        doc="scrypt cost for admin private keys: N = 2^value (r = 8, p = 1; 14 is 16 MiB). "
            "Stored with each hash; a hash made at a lower cost is rewritten at its pair's "
            "next login.")
    ACCESS_TOKEN_SECONDS: int = setting(
        30 * 60, env="ACCESS_TOKEN_SECONDS", minimum=60, maximum=24 * 3600,
        doc="Lifetime of access tokens (both APIs).")
    REFRESH_TOKEN_SECONDS: int = setting(
        60 * 24 * 3600, env="REFRESH_TOKEN_SECONDS", minimum=MIN_REFRESH_SECONDS,
        maximum=MAX_REFRESH_SECONDS, shown="`5184000` (60 days; 1800 s \u2013 5 years)",
        doc="Lifetime of Client API refresh tokens, for apps that set none of their own "
            "(`security/refresh_token_expiration`).")
    ADMIN_REFRESH_TOKEN_SECONDS: int = setting(
        24 * 3600, env="ADMIN_REFRESH_TOKEN_SECONDS", minimum=MIN_REFRESH_SECONDS,
        maximum=MAX_REFRESH_SECONDS, shown="`86400` (1800 s \u2013 5 years)",
        doc="Lifetime of Admin API refresh tokens.")
    MAX_CONTENT_LENGTH: int = setting(
        64 * 1024, env="MAX_BODY_BYTES", minimum=1024, maximum=16 * 1024 * 1024,
        shown="`65536` (1 KiB \u2013 16 MiB)", doc="Larger request bodies get a 413.")
    DATABASE_POOL_SIZE: int = setting(
        8, env="DATABASE_POOL_SIZE", minimum=1, maximum=200,
        doc="PostgreSQL connections per worker process.")
    # Failed logins allowed per window (app.domain.throttle); 0 switches a scope off.
    THROTTLE_FAILURES_PER_ADDRESS: int = setting(
        20, env="THROTTLE_FAILURES_PER_ADDRESS", minimum=0, maximum=_COUNT,
        shown="`20` (0 = off)",
        doc="Failed logins a client address may make in one app per window (and at the "
            "Admin API login) before every login from it gets 429 `TooManyRequests`. The "
            "address is the connection's, or the `X-Forwarded-For` one set by a trusted "
            "proxy (`TRUSTED_PROXY_HOPS`); an IPv6 address counts as its /64.")
    THROTTLE_FAILURES_PER_APP: int = setting(
        500, env="THROTTLE_FAILURES_PER_APP", minimum=0, maximum=_COUNT,
        shown="`500` (0 = off)",
        doc="Failed logins all clients together may make in one app per window; past it, "
            "further failures get 429 instead of 401. Valid credentials are never refused "
            "because of it: others' failures must not lock anyone out.")
    THROTTLE_FAILURES_PER_ACCOUNT: int = setting(
        10, env="THROTTLE_FAILURES_PER_ACCOUNT", minimum=0, maximum=_COUNT,
        shown="`10` (0 = off)",
        doc="Failed email/password logins to one email per window, from any addresses; past "
            "it, further wrong passwords for that email get 429. The right password still "
            "logs in.")
    THROTTLE_REGISTRATIONS_PER_ADDRESS: int = setting(
        100, env="THROTTLE_REGISTRATIONS_PER_ADDRESS", minimum=0, maximum=_COUNT,
        shown="`100` (0 = off)",
        doc="Registrations (`local-userpass/register`) a client address may attempt in one "
            "app per window, counted whatever their outcome: each costs a bcrypt hash and "
            "says whether an email is taken.")
    THROTTLE_WINDOW_SECONDS: int = setting(
        300, env="THROTTLE_WINDOW_SECONDS", minimum=10, maximum=24 * 3600,
        doc="The window the two limits above count in; `Retry-After` says when it ends.")
    MAX_SESSIONS_PER_USER: int = setting(
        1000, env="MAX_SESSIONS_PER_USER", minimum=1, maximum=1_000_000,
        doc="Live sessions one user may hold; a login over it ends that user's oldest "
            "sessions ([Sessions](deploying.md#sessions-a-bound-per-user-and-pruning)).")
    PRUNE_INTERVAL_SECONDS: int = setting(
        60, env="PRUNE_INTERVAL_SECONDS", minimum=0, maximum=24 * 3600,
        doc="How often a server deletes the rows that only mattered until a time passed "
            "(expired sessions, closed throttle windows, app log entries past "
            "`LOG_RETENTION_DAYS`); `0` never.")
    PRUNE_BATCH_SIZE: int = setting(
        500, env="PRUNE_BATCH_SIZE", minimum=10, maximum=100_000,
        doc="Rows one pruning transaction deletes; a pass repeats it until none is left.")
    LOG_RETENTION_DAYS: int = setting(
        10, env="LOG_RETENTION_DAYS", minimum=1, maximum=3650,
        doc="Days an app log entry (Admin API `GET .../logs`, the console's Logs page) is "
            "kept; older ones are deleted by the background pruner (10, as the original).")
    APP_LOG_ENABLED: bool = setting(
        True, env="APP_LOG_ENABLED",
        doc="Keep app log entries of logins and key changes ([Logs](logs.md)); `false` "
            "keeps none (`GET .../logs` answers an empty list; errors still carry their "
            "`link`), e.g. where client addresses must not be stored.")
    APP_LOG_BATCH_MS: int = setting(
        100, env="APP_LOG_BATCH_MS", minimum=0, maximum=10_000,
        doc="How long a successful request's app log entry may wait to be written with "
            "others (one transaction for many); an error's entry is written at once. `0` "
            "writes each at once.")
    SQLITE_CHECKPOINT_INTERVAL_MS: int = setting(
        250, env="SQLITE_CHECKPOINT_INTERVAL_MS", minimum=0, maximum=60_000,
        doc="SQLite: how often each server process copies the write-ahead log back into the "
            "database, so that requests do not; `0` leaves it to the requests, as SQLite "
            "does by default.")
    ADMIN_PUBLIC_KEY: str = setting(
        "", env="APPSERVICES_ADMIN_PUBLIC_KEY", shown="unset",
        doc="The public half of an admin key pair that exists whenever the server starts "
            "([Admin key pairs](admin-key-pairs.md)). Both halves or neither.")
    ADMIN_PRIVATE_KEY: str = setting(
        "", env="APPSERVICES_ADMIN_PRIVATE_KEY", shown="unset",
        doc="Its private half (at least 16 characters).")
    BOOTSTRAP_ADMIN: bool = setting(
        True, env="APPSERVICES_BOOTSTRAP_ADMIN",
        doc="Whether a first start with no admin key creates one (shown on a terminal, else "
            "written to `<instance>/first-admin-key.txt`; [Admin key pairs](admin-key-pairs.md)). "
            "`1`, `true`, `yes`, "
            "`on` mean true; anything else false.")
    TEST_CLOCK: bool = setting(
        False, env="APPSERVICES_TEST_CLOCK",
        doc="**Tests only, never in production**: serves `/_testing/clock`, which lets "
            "anyone move the server's clock.")
    # The console's session cookie: "auto" marks it Secure when the request came over
    # https (behind a proxy: with TRUSTED_PROXY_HOPS set), "true" always, "false" never.
    TOKEN_SIGNING_ALGORITHM: str = setting(
        "ES256", env="TOKEN_SIGNING_ALGORITHM", parse=_signing_algorithm,
        doc="How client tokens are signed: `ES256`, `RS256` or `EdDSA` with a key published "
            "at `/.well-known/jwks.json`, or `HS256` with a key derived from `SECRET_KEY` and "
            "nothing published (as earlier releases did). Changing it between asymmetric "
            "algorithms rotates the key at the next start. See [Verifying tokens in your own "
            "backend](sdks-and-scripts.md#verifying-tokens-in-your-own-backend).")
    SIGNING_KEY_ENCRYPTION_KEY: str = setting(
        "", env="SIGNING_KEY_ENCRYPTION_KEY", shown="unset (`SECRET_KEY` is used)",
        doc="Encrypts the signing keys' private halves in the database (AES-256-GCM, key "
            "derived with HKDF). The same value on every server; changing it makes the "
            "stored keys unreadable (the server refuses to start).")
    CONSOLE_COOKIE_SECURE: str = setting(
        "auto", env="CONSOLE_COOKIE_SECURE", parse=_cookie_secure,
        doc="The console's session cookie is `Secure`: `auto` when the request came over "
            "https (behind a proxy: with `TRUSTED_PROXY_HOPS` set), `true` always, `false` "
            "never.")
    LOG_LEVEL: str = setting(
        "INFO", env="LOG_LEVEL", parse=_upper, doc="`DEBUG`, `INFO`, `WARNING`, `ERROR`.")
    LOG_FORMAT: str = setting(
        "text", env="LOG_FORMAT", parse=_log_format,
        doc="The access log's lines (`appservices serve`, on stdout): `text`, the combined "
            "log format with the correlation id, or `json`, one JSON object per request "
            "(see [Access log](observability.md#access-log)). Never a token, key, password or "
            "query string.")
    METRICS_ENABLED: bool = setting(
        True, env="METRICS_ENABLED",
        doc="Serve Prometheus metrics at `/metrics` (see [Metrics](observability.md#metrics)); "
            "`false` answers 404 there.")
    METRICS_TOKEN: str = setting(
        "", env="METRICS_TOKEN", shown="unset (anyone may read `/metrics`)",
        doc="When set, `/metrics` answers only requests with `Authorization: Bearer "
            "<token>` (401 otherwise). Set it when the service is reachable beyond your "
            "network: the metrics name apps and count their keys and logins.")
    RESTART_PAUSE_SECONDS: int = setting(
        1, env="RESTART_PAUSE_SECONDS", minimum=0, maximum=300,
        doc="How long `appservices serve` waits before it starts its server again when "
            "workers kept dying at once (a worker that cannot start must not spin).")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from the environment; an empty variable counts as unset."""
        source = os.environ if environ is None else environ
        values = {spec.name: _read(spec, source) for spec in fields(cls)}
        instance = Path(values["INSTANCE_PATH"]).absolute()
        values["INSTANCE_PATH"] = str(instance)
        values["DATABASE_URL"] = (values["DATABASE_URL"]
                                  or f"sqlite:///{instance / 'appservices.db'}")
        return cls(**values)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings as a Flask config holds them (after `create_app`'s overrides)."""
        return cls(**{spec.name: config[spec.name] for spec in fields(cls)})

    def as_flask_config(self) -> dict[str, Any]:
        """Return the settings as a mapping for `app.config.update`."""
        return asdict(self)


def declared(spec: Field[Any]) -> Declared:
    """The declaration of one field of `Settings`."""
    found: Declared = spec.metadata["declared"]
    return found


def _read(spec: Field[Any], environ: Mapping[str, str]) -> Any:
    about = declared(spec)
    raw = environ.get(about.env)
    if raw is None or raw.strip() == "":
        return spec.default
    if spec.type in {"bool", bool}:
        return raw.strip().lower() in _TRUE
    if spec.type in {"int", int}:
        return _integer(about, raw)
    return about.parse(about.env, raw) if about.parse else raw


def _integer(about: Declared, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{about.env} must be an integer, got {raw!r}") from None
    assert about.minimum is not None and about.maximum is not None  # every int is bounded
    if not about.minimum <= value <= about.maximum:
        raise ConfigError(f"{about.env} must be between {about.minimum} and {about.maximum}, "
                          f"got {value}")
    return value


def _shown_default(spec: Field[Any]) -> str:
    about = declared(spec)
    if about.shown is not None:
        return about.shown
    default = str(spec.default).lower() if isinstance(spec.default, bool) else spec.default
    bounds = (f" ({about.minimum}\u2013{about.maximum})" if about.minimum is not None
              else "")
    return f"`{default}`{bounds}"


def configuration_table() -> str:
    """The Configuration table of docs/configuration.md, as Markdown, with a row per setting."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    rows += [f"| `{declared(spec).env}` | {_shown_default(spec)} | {declared(spec).doc} |"
             for spec in fields(Settings)]
    return "\n".join(rows) + "\n"


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

