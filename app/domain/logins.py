"""Logging in to an app through one of its providers, and registering email/password users.

Every refusal is worded so that it does not tell which part was wrong: an unknown key,
a disabled key and a deleted key all read "unauthorized"; an unknown email and a wrong
password both read "invalid username/password".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import peewee

from app import clock
from app.domain import (
    key_usage,
    key_values,
    keys,
    passwords,
    providers,
    sessions,
    text,
    throttle,
    users,
)
from app.domain.errors import (
    AppNotFound,
    AuthError,
    Forbidden,
    InvalidPassword,
    InvalidSession,
    ProviderUnsupported,
    UserDisabled,
)
from app.domain.users import EMAIL_PATTERN, email_key, normalise_email
from app.models import ApiKey, App, AuthProvider, Device, Identity, PasswordCredential, User
from app.models.api_key import USER
from app.storage import is_object_id, new_object_id, write_transaction
from app.storage.statements import Insert, Select, Statement

# What a login's `options.device` may tell of itself: realm-web sends all but `sdk` (the
# SDK's name, which realm-core's SDKs send).
DEVICE_FIELDS = ("appId", "appVersion", "platform", "platformVersion", "sdk", "sdkVersion")
# Wider than the ids apps are given (`<name>-<5 letters>`), narrow enough to keep what no
# app can have out of the database (PostgreSQL refuses a NUL byte: that was a 500).
CLIENT_APP_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,80}")

# The statements every login runs, compiled once (app.storage.statements).
_APP_BY_CLIENT_ID = Select(
    [App], lambda p: App.select().where(App.client_app_id == p.client_app_id).limit(1),
    client_app_id=App.client_app_id,
)
# The app with its provider of one type, when it has one.
_APP_WITH_PROVIDER = Select(
    [App, AuthProvider],
    lambda p: App.select(App, AuthProvider).join(
        AuthProvider, peewee.JOIN.LEFT_OUTER,
        on=(AuthProvider.app == App.id) & (AuthProvider.type == p.provider_type),
    ).where(App.client_app_id == p.client_app_id).limit(1),
    client_app_id=App.client_app_id, provider_type=AuthProvider.type,
)
# The key with its user and, when it has logged in before, its api-key identity. The
# value may be the key's current one or, after a roll, the one before (schema 8): both
# digests are indexed, so this stays one indexed lookup.
_KEY_WITH_USER_AND_IDENTITY = Select(
    [ApiKey, User, Identity],
    lambda p: ApiKey.select(ApiKey, User, Identity).join(User).switch(ApiKey).join(
        Identity, peewee.JOIN.LEFT_OUTER,
        on=(Identity.user == ApiKey.user) & (Identity.app == ApiKey.app)
        & (Identity.provider_type == providers.API_KEY) & (Identity.external_id == ApiKey.id),
    ).where(((ApiKey.digest == p.digest) | (ApiKey.previous_digest == p.digest))
            & (ApiKey.app == p.app)).limit(1),
    digest=ApiKey.digest, app=ApiKey.app,
)
_SEEN_DEVICE = Statement(
    # Kept at least as long as this login's session may live; never shortened.
    lambda p: Device.update(
        last_seen=p.now, info=p.info,
        keep_until=peewee.Case(None, [(Device.keep_until.is_null(), peewee.SQL("NULL")),
                                      (Device.keep_until < p.keep_until, p.keep_until)],
                               Device.keep_until))
    .where((Device.id == p.device_id) & (Device.app == p.app)),
    now=Device.last_seen, info=Device.info, keep_until=Device.keep_until,
    device_id=Device.id, app=Device.app,
)
# Seen by an anonymous session, which never expires: kept until further notice.
_SEEN_DEVICE_FOR_EVER = Statement(
    lambda p: Device.update(last_seen=p.now, info=p.info, keep_until=None)
    .where((Device.id == p.device_id) & (Device.app == p.app)),
    now=Device.last_seen, info=Device.info, device_id=Device.id, app=Device.app,
)
# A device outlives the longest session opened from it by this much: a margin for the
# seconds between reading the clock here and in app.domain.sessions.open_session.
DEVICE_GRACE_SECONDS = 60
_INSERT_DEVICE = Insert(Device)


@dataclass(frozen=True)
class LoginRequest:
    """What a login call carries besides its credentials."""

    device: dict[str, Any]
    link_to: sessions.Caller | None = None
    client_address: str | None = None  # failed logins are throttled per address


@dataclass(frozen=True)
class LoginTarget:
    """The app a login is for, and its provider of the login's type (None: it has none)."""

    app: App
    provider_type: str
    provider: AuthProvider | None


def _app_not_found(client_app_id: str) -> AppNotFound:
    return AppNotFound(f"cannot find app using Client App ID '{client_app_id}'")


def find_app_by_client_id(client_app_id: str) -> App | None:
    """The app with this client App ID, or None."""
    if not CLIENT_APP_ID_PATTERN.fullmatch(client_app_id):
        return None
    row = _APP_BY_CLIENT_ID.first(client_app_id=client_app_id)
    return None if row is None else row[0]


def app_by_client_id(client_app_id: str) -> App:
    """Return the app with this client App ID (the id the SDKs are configured with)."""
    app = find_app_by_client_id(client_app_id)
    if app is None:
        raise _app_not_found(client_app_id)
    return app


def login_target(client_app_id: str, provider_type: str) -> LoginTarget:
    """Return the app with this client App ID and its provider of `provider_type`.

    One read for both: every login needs them. A type no app can have is not looked up.
    """
    if provider_type not in providers.TYPES:
        return LoginTarget(app_by_client_id(client_app_id), provider_type, None)
    row = (_APP_WITH_PROVIDER.first(client_app_id=client_app_id, provider_type=provider_type)
           if CLIENT_APP_ID_PATTERN.fullmatch(client_app_id) else None)
    if row is None:
        raise _app_not_found(client_app_id)
    app, provider = row
    return LoginTarget(app, provider_type, provider)


def _enabled_provider(target: LoginTarget, provider_type: str) -> AuthProvider:
    provider = target.provider if target.provider_type == provider_type else None
    if provider is None or provider.disabled:
        raise ProviderUnsupported(f"authentication via '{provider_type}' is unsupported")
    return provider


def device_info(device: dict[str, Any]) -> dict[str, str]:
    """What the login's device information tells of the app, SDK and platform, as kept.

    Only recorded, never refused: an SDK's login must not fail over how it names itself.
    """
    return {name: text.without_control_characters(str(device[name]))[:128]
            for name in DEVICE_FIELDS if name in device}


def _device_id(app: App, device: dict[str, Any], info: dict[str, str], *,
               anonymous: bool = False) -> str:
    """Reuse the device id the SDK sent back when we know it; otherwise mint one.

    A login that says nothing of a device (a script, curl) comes from none: it gets the
    zero id, as the contract allows, and no row. SDKs always describe their device, and
    a row per scripted login would grow without end. A device row is kept as long as a
    session opened from it may live (`keep_until`), then pruned. `info` is
    `device_info(device)`.
    """
    sent = device.get("deviceId")
    if isinstance(sent, dict):  # EJSON: {"$oid": "..."}
        sent = sent.get("$oid")
    if not info and (sent is None or sent == sessions.NO_DEVICE):  # sent may be any JSON
        return sessions.NO_DEVICE
    now = clock.timestamp()
    keep_until = (None if anonymous
                  else now + sessions.refresh_token_seconds(app) + DEVICE_GRACE_SECONDS)
    if isinstance(sent, str) and is_object_id(sent) and sent != sessions.NO_DEVICE:
        seen = (_SEEN_DEVICE_FOR_EVER.execute(now=now, info=info, device_id=sent, app=app)
                if keep_until is None else
                _SEEN_DEVICE.execute(now=now, info=info, keep_until=keep_until,
                                     device_id=sent, app=app))
        if seen:
            return sent
    new_device = Device(id=new_object_id(), app=app, info=info, created_at=now, last_seen=now,
                        keep_until=keep_until)
    _INSERT_DEVICE.save(new_device)
    return str(new_device.id)


def _link(user: User, provider: AuthProvider, external_id: str) -> Identity:
    """Attach an identity to `user`, unless another user already has it."""
    existing = Identity.get_or_none(
        (Identity.app == user.app_id) & (Identity.provider_type == provider.type)
        & (Identity.external_id == external_id)
    )
    if existing is not None:
        if existing.user_id != user.id:
            raise Forbidden("this identity already belongs to another user")
        return existing
    return Identity.create(
        id=new_object_id(), user=user, app=user.app_id,
        provider_type=provider.type, provider_id=provider.id, external_id=external_id,
        created_at=clock.timestamp(),
    )


def _check_may_link(caller: sessions.Caller, app: App) -> None:
    """Refuse a link that would widen what a key grants.

    A session opened with a key may not manage keys nor delete its user; linking a
    password to its user would give whoever holds the key a login that outlives the key
    (and, for a server user, one that does what a key session may not). A server user
    exists only for its key, so nothing is linked to it either.
    """
    if caller.user.app_id != app.id:
        raise InvalidSession("invalid session: the access token was issued for another app")
    if caller.session.api_key_id is not None:
        raise Forbidden("a session opened with an API key cannot link identities to its user")
    if caller.user.type != "normal":
        raise Forbidden("a server API key's user cannot have other identities")


def login_with_api_key(target: LoginTarget, key: str,
                       request: LoginRequest) -> sessions.LoginResult:
    """Log in with a server key (as its server user) or a user key (as its owner)."""
    app, provider = target.app, _enabled_provider(target, providers.API_KEY)
    with throttle.guard(throttle.login_scopes(app.id, request.client_address)):
        try:
            return _login_with_api_key(app, provider, key, request)
        except peewee.IntegrityError:
            # The key is read before the write transaction: a concurrent first login
            # with the same user key may have given the owner its identity meanwhile.
            # Reading again finds it. (A key disabled or deleted meanwhile is refused
            # inside the transaction: app.domain.sessions.open_session.)
            return _login_with_api_key(app, provider, key, request)


def _login_with_api_key(app: App, provider: AuthProvider, key: str,
                        request: LoginRequest) -> sessions.LoginResult:
    # The checksum refuses a mistyped or made-up key before the key is looked up.
    if not isinstance(key, str) or not keys.is_well_formed(key, keys.API_KEY_PREFIX):
        raise AuthError()
    digest = keys.digest(key)
    row = _KEY_WITH_USER_AND_IDENTITY.first(digest=digest, app=app)
    if row is None:
        raise AuthError()
    api_key, user, identity = row
    # Disabled, expired, or a rolled value past its grace period: refused alike.
    if key_values.roll_of_value(api_key, digest, clock.timestamp()) is None:
        raise AuthError()
    if user.disabled:
        raise UserDisabled()
    with write_transaction():
        if request.link_to is not None:
            raise Forbidden("API-key identities cannot be linked to another user")
        if identity is None and api_key.kind == USER:
            # A user key gives its owner an api-key identity, as in the original.
            identity = _link(user, provider, api_key.id)
        if identity is None:
            raise AuthError()
        info = device_info(request.device)
        opened = sessions.open_session(app, user, identity,
                                       _device_id(app, request.device, info),
                                       api_key=api_key, key_digest=digest)
        # Mostly nothing to write: the key was recorded within the minute (key_usage).
        key_usage.record_login(api_key, clock.timestamp(), request.client_address, info)
        return opened


def login_anonymously(target: LoginTarget, request: LoginRequest) -> sessions.LoginResult:
    """Create a new anonymous user and log it in; its session never expires."""
    app, provider = target.app, _enabled_provider(target, providers.ANON_USER)
    with write_transaction():
        if request.link_to is not None:
            raise Forbidden("an anonymous identity cannot be linked to an existing user")
        user, identity = users.create_with_identity(app, provider, new_object_id())
        return sessions.open_session(
            app, user, identity,
            _device_id(app, request.device, device_info(request.device), anonymous=True),
            anonymous=True)


def login_with_password(target: LoginTarget, username: str, password: str,
                        request: LoginRequest) -> sessions.LoginResult:
    """Log in with email and password; the first login creates the user."""
    app, provider = target.app, _enabled_provider(target, providers.LOCAL_USERPASS)
    if request.link_to is not None:
        _check_may_link(request.link_to, app)
    email = email_key(username)
    with throttle.guard(throttle.login_scopes(app.id, request.client_address, email)):
        return _login_with_password(app, provider, email, password, request)


def _login_with_password(app: App, provider: AuthProvider, email: str, password: str,
                         request: LoginRequest) -> sessions.LoginResult:
    # An address nobody can register is not looked up (a NUL byte is a 500 on PostgreSQL).
    credential = PasswordCredential.get_or_none(
        (PasswordCredential.app == app) & (PasswordCredential.email == email)
    ) if EMAIL_PATTERN.fullmatch(email) else None
    if credential is None:
        passwords.burn_time(password)  # an unknown email costs as long as a wrong password
        raise InvalidPassword()
    if not passwords.check_password(password, credential.password_hash):
        raise InvalidPassword()
    if not credential.confirmed:  # told only to whoever knows the password
        raise AuthError("confirmation required")
    with write_transaction():
        if request.link_to is not None:
            identity = _link(request.link_to.user, provider, credential.id)
            return sessions.continue_linked_session(request.link_to, identity)
        existing = Identity.get_or_none(
            (Identity.app == app) & (Identity.provider_type == providers.LOCAL_USERPASS)
            & (Identity.external_id == credential.id)
        )
        if existing is None:
            user, identity = users.create_with_identity(app, provider, credential.id,
                                                        data={"email": email})
        else:
            user, identity = User.get_by_id(existing.user_id), existing
        if user.type != "normal":  # linked before linking to server users was refused
            raise InvalidPassword()
        if user.disabled:
            raise UserDisabled()
        return sessions.open_session(app, user, identity, _device_id(
            app, request.device, device_info(request.device)))


def register(target: LoginTarget, email: str, password: str,
             client_address: str | None = None) -> None:
    """Register an email/password credential; the user appears at its first login.

    Without the provider's `autoConfirm`, the registration is pending until an admin
    confirms it, and cannot log in before.

    Registrations are throttled per client address: each costs a bcrypt hash, and its
    answer tells whether an email is taken.
    """
    app, provider = target.app, _enabled_provider(target, providers.LOCAL_USERPASS)
    # Without autoConfirm the registration waits for an admin (app.domain.registrations):
    # this server sends no confirmation email and runs no confirmation function.
    confirmed = provider.config.get("autoConfirm", False) is True
    email = normalise_email(email)
    passwords.validate(password)
    with throttle.counting_every_attempt(
        throttle.registration_scopes(app.id, client_address), "registrations"
    ):
        users.add_password_credential(app, email, password, confirmed=confirmed,
                                      taken="name already in use")
