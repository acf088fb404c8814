"""Admin identity: key pairs, the groups they are granted, and Admin API sessions.

An admin key pair works like the original's programmatic API keys: a public id and a
private secret. Only a salted scrypt hash of the private half is stored
(app.domain.admin_secrets): unlike client API keys, it may have been chosen by a person.

A pair can be disabled, enabled again and deleted (`appservices admin ...`, on the
server's database). Disabling or deleting a pair, or changing its private key, ends
every session it opened: its refresh tokens are refused and, as each access token is
checked against its session row, its access tokens stop working at once too.
"""

from __future__ import annotations

import logging
import re
import secrets as _random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import peewee

from app import clock
from app.domain import admin_secrets, keys, settings, throttle, tokens
from app.domain.errors import (
    AdminKeyNotFound,
    AuthError,
    GroupNotFound,
    InvalidParameter,
    InvalidSession,
)
from app.domain.ids import ZERO_ID
from app.domain.sessions import NO_DEVICE
from app.models import AdminKey, AdminKeyGroup, AdminSession, Group
from app.storage import is_object_id, lock_for_update, new_object_id, write_transaction

log = logging.getLogger(__name__)

DEFAULT_GROUP = "default"
ROLE_NAME = "GROUP_OWNER"
# The Admin API's one login provider: an admin key pair (GET /auth/providers lists it).
LOGIN_PROVIDER = "mongodb-cloud"
PUBLIC_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GROUP_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_. -]{1,64}$")
FROM_ENVIRONMENT = "from APPSERVICES_ADMIN_PUBLIC_KEY"


@dataclass(frozen=True)
class IssuedAdminKey:
    """A new admin key pair. `private_key` exists only here, once."""

    admin_key: AdminKey
    private_key: str
    groups: list[Group]


@dataclass(frozen=True)
class AdminKeyInfo:
    """What may be shown of a key pair: never its private key nor the hash of it."""

    public_key: str
    description: str
    groups: list[str]
    created_at: int
    disabled: bool
    live_sessions: int


@dataclass(frozen=True)
class SessionTokens:
    access_token: str
    refresh_token: str
    user_id: str
    device_id: str
    session_id: str = ""  # the AdminSession row: the console keeps only this and user_id


def _new_public_key() -> str:
    # Eight lowercase letters, like the original's public keys.
    return "".join(_random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))


def _group_named(name: str) -> Group:
    if not GROUP_NAME_PATTERN.fullmatch(name):
        raise InvalidParameter("group names are 1-64 letters, digits, spaces, '.', '_' or '-'")
    group = Group.get_or_none(Group.name == name)
    if group is None:
        group = Group.create(id=new_object_id(), name=name, created_at=clock.timestamp())
    return group


def _grant(admin_key: AdminKey, groups: list[Group]) -> None:
    for group in groups:
        granted = AdminKeyGroup.select().where(
            (AdminKeyGroup.admin_key == admin_key) & (AdminKeyGroup.group == group)
        )
        if not granted.exists():
            AdminKeyGroup.create(id=new_object_id(), admin_key=admin_key, group=group)


def create_admin_key(group_names: list[str], description: str = "") -> IssuedAdminKey:
    """Create a key pair granted the named groups (created when missing)."""
    private_key = keys.generate(keys.ADMIN_PRIVATE_KEY_PREFIX)
    stored = admin_secrets.hash_secret(private_key)  # slow: outside the write lock
    with write_transaction():
        groups = [_group_named(name) for name in (group_names or [DEFAULT_GROUP])]
        admin_key = AdminKey.create(
            public_key=_new_public_key(),
            private_key_digest=stored,
            description=description,
            created_at=clock.timestamp(),
        )
        _grant(admin_key, groups)
    return IssuedAdminKey(admin_key, private_key, groups)


def ensure_admin_key(public_key: str, private_key: str, group_name: str = DEFAULT_GROUP) -> None:
    """Make the configured pair exist and work, granted `group_name`.

    The environment is the source of truth for the private key: a pair whose private
    key changed there gets the new one, and the sessions the old one opened end (the
    old key may have leaked; that is why it was changed). A pair disabled with
    `appservices admin disable-key` stays disabled.
    """
    if not PUBLIC_KEY_PATTERN.fullmatch(public_key):
        raise InvalidParameter("admin public keys are 1-64 letters, digits, '_' or '-'")
    if len(private_key) < 16:
        raise InvalidParameter("an admin private key must be at least 16 characters long")
    with write_transaction():
        admin_key = lock_for_update(
            AdminKey.select().where(AdminKey.public_key == public_key)
        ).first()
        if admin_key is None:
            admin_key = AdminKey.create(
                public_key=public_key,
                private_key_digest=admin_secrets.hash_secret(private_key),
                description=FROM_ENVIRONMENT,
                created_at=clock.timestamp(),
            )
        elif not admin_secrets.verify(private_key, admin_key.private_key_digest):
            admin_key.private_key_digest = admin_secrets.hash_secret(private_key)
            admin_key.save()
            ended = _end_sessions_of(admin_key)
            log.warning("the private key of admin key pair %s changed in the environment; "
                        "%d session(s) it had opened were ended", public_key, ended)
        elif admin_secrets.needs_rehash(admin_key.private_key_digest):
            # A SHA-256 from an older release, or a cheaper scrypt than configured now.
            admin_key.private_key_digest = admin_secrets.hash_secret(private_key)
            admin_key.save()
        _grant(admin_key, [_group_named(group_name)])


def bootstrap_if_empty() -> IssuedAdminKey | None:
    """On a first start with no admin key at all, create a default group and a pair."""
    with write_transaction():
        if AdminKey.select().exists():
            return None
        return create_admin_key([DEFAULT_GROUP], description="created on first start")


# --- managing pairs (the `appservices admin` commands) --------------------------------


def _key_named(public_key: str) -> AdminKey:
    """Return the pair with `public_key`, locked for the rest of the transaction."""
    admin_key = None
    if PUBLIC_KEY_PATTERN.fullmatch(public_key):  # PostgreSQL refuses a NUL byte: a 500
        admin_key = lock_for_update(
            AdminKey.select().where(AdminKey.public_key == public_key)
        ).first()
    if admin_key is None:
        # Not echoed: a private key pasted where the public key goes must not be printed.
        raise AdminKeyNotFound("no admin key pair has that public key "
                               "(appservices admin list-keys shows them)")
    return admin_key  # type: ignore[no-any-return]


def _end_sessions_of(admin_key: AdminKey) -> int:
    """Delete every session of `admin_key`; return how many of them were still live."""
    sessions = AdminSession.admin_key == admin_key
    live = AdminSession.select().where(sessions & (AdminSession.expires_at > clock.timestamp()))
    ended = int(live.count())
    AdminSession.delete().where(sessions).execute()  # the expired ones go too
    return ended


def list_admin_keys() -> list[AdminKeyInfo]:
    """Describe every key pair, oldest first, with how many of its sessions are live."""
    now = clock.timestamp()
    live: dict[str, int] = dict(cast(Iterable[tuple[str, int]], (
        AdminSession.select(AdminSession.admin_key, peewee.fn.COUNT(AdminSession.id))
        .where(AdminSession.expires_at > now)
        .group_by(AdminSession.admin_key).tuples()
    )))
    groups: dict[str, list[str]] = {}
    grants = cast(Iterable[tuple[str, str]], (
        AdminKeyGroup.select(AdminKeyGroup.admin_key, Group.name).join(Group)
        .order_by(Group.id).tuples()
    ))
    for admin_key_id, group_name in grants:
        groups.setdefault(admin_key_id, []).append(group_name)
    return [
        AdminKeyInfo(
            public_key=admin_key.public_key,
            description=admin_key.description,
            groups=groups.get(admin_key.id, []),
            created_at=admin_key.created_at,
            disabled=admin_key.disabled,
            live_sessions=int(live.get(admin_key.id, 0)),
        )
        for admin_key in AdminKey.select().order_by(AdminKey.created_at, AdminKey.id)
    ]


def disable_admin_key(public_key: str) -> int:
    """Disable a pair: it can no longer log in and its sessions end. Return how many were live."""
    with write_transaction():
        admin_key = _key_named(public_key)
        if not admin_key.disabled:
            admin_key.disabled = True
            admin_key.save()
        return _end_sessions_of(admin_key)


def enable_admin_key(public_key: str) -> None:
    """Let a disabled pair log in again (the sessions disabling ended stay ended)."""
    with write_transaction():
        admin_key = _key_named(public_key)
        if admin_key.disabled:
            admin_key.disabled = False
            admin_key.save()


def delete_admin_key(public_key: str) -> int:
    """Delete a pair, its grants and its sessions; return how many of those were live.

    Its groups and their apps stay: another pair may be granted them.
    """
    with write_transaction():
        admin_key = _key_named(public_key)
        ended = _end_sessions_of(admin_key)
        AdminKeyGroup.delete().where(AdminKeyGroup.admin_key == admin_key).execute()
        admin_key.delete_instance()
    return ended


def count_enabled_admin_keys() -> int:
    """Return how many pairs can log in."""
    return int(AdminKey.select().where(AdminKey.disabled == False).count())  # noqa: E712


def groups_of(admin_key: AdminKey) -> list[Group]:
    """Return the groups `admin_key` is granted, oldest first."""
    return list(
        Group.select().join(AdminKeyGroup).where(AdminKeyGroup.admin_key == admin_key)
        .order_by(Group.id)
    )


def group_for(admin_key: AdminKey, group_id: str) -> Group:
    """Return the group if `admin_key` is granted it; otherwise it does not exist for them."""
    if not is_object_id(group_id):  # a malformed id is simply not found, never a 500
        raise GroupNotFound(f"group '{group_id}' not found")
    group = (
        Group.select().join(AdminKeyGroup)
        .where((AdminKeyGroup.admin_key == admin_key) & (Group.id == group_id))
        .first()
    )
    if group is None:
        raise GroupNotFound(f"group '{group_id}' not found")
    return group  # type: ignore[no-any-return]


def login(public_key: str, private_key: str, client_address: str | None = None) -> SessionTokens:
    """Check a key pair and open an Admin API session; failures are throttled per address."""
    with throttle.guard(throttle.admin_login_scopes(client_address)):
        return _login(public_key, private_key)


def _login(public_key: str, private_key: str) -> SessionTokens:
    # A public key no pair can have is not looked up (PostgreSQL refuses a NUL byte: a 500).
    admin_key = (AdminKey.get_or_none(AdminKey.public_key == public_key)
                 if PUBLIC_KEY_PATTERN.fullmatch(public_key) else None)
    if admin_key is None:
        # As slow as checking a real pair, so timing does not tell which public keys exist.
        admin_secrets.burn_time(private_key)
        raise AuthError("invalid username/password")
    stored = admin_key.private_key_digest
    if not admin_secrets.verify(private_key, stored) or admin_key.disabled:
        raise AuthError("invalid username/password")
    upgraded = (admin_secrets.hash_secret(private_key)
                if admin_secrets.needs_rehash(stored) else None)
    now = clock.timestamp()
    with write_transaction():
        # Read the pair again under its lock: a pair disabled, deleted or given another
        # private key while this login was checking it must not get a session after
        # its sessions were ended.
        current = lock_for_update(
            AdminKey.select().where(AdminKey.id == admin_key.id)
        ).first()
        if current is None or current.disabled or current.private_key_digest != stored:
            raise AuthError("invalid username/password")
        if upgraded is not None:
            # A SHA-256 from an older release (or a cheaper scrypt): rewrite it now that
            # the private key is at hand.
            current.private_key_digest = upgraded
            current.save()
        session = AdminSession.create(
            id=new_object_id(),
            admin_key=current,
            created_at=now,
            expires_at=now + settings.current().admin_refresh_token_seconds,
        )
    return SessionTokens(
        access_token=_access_token(current, session),
        refresh_token=tokens.encode("admin", {
            "sub": current.id,
            "typ": "refresh",
            "iat": now,
            "exp": session.expires_at,
            "baas_id": session.id,
        }),
        user_id=current.id,
        device_id=NO_DEVICE,
        session_id=session.id,
    )


def _access_token(admin_key: AdminKey, session: AdminSession) -> str:
    now = clock.timestamp()
    return tokens.encode("admin", {
        "sub": admin_key.id,
        "typ": "access",
        "iat": now,
        "exp": min(now + settings.current().access_token_seconds, session.expires_at),
        "iss": session.id,
    })


def _live_session(session_id: Any) -> AdminSession:
    session = (
        AdminSession.select(AdminSession, AdminKey).join(AdminKey)
        .where(AdminSession.id == str(session_id)).first()
    )
    if session is None or session.expires_at <= clock.timestamp():
        raise InvalidSession("invalid session: failed to find refresh token")
    if session.admin_key.disabled:
        raise InvalidSession("invalid session: the admin key is disabled")
    return session  # type: ignore[no-any-return]


def authenticate(access_token: str) -> AdminKey:
    """Return the admin key behind a valid access token of a live session."""
    claims = tokens.decode("admin", access_token, "access")
    session = _live_session(claims.get("iss"))
    return session.admin_key


def refresh(refresh_token: str) -> str:
    """Return a new access token for the session of `refresh_token`."""
    claims = tokens.decode("admin", refresh_token, "refresh")
    session = _live_session(claims.get("baas_id"))
    return _access_token(session.admin_key, session)


def logout(refresh_token: str) -> None:
    """End the session of `refresh_token`; its access tokens stop working too."""
    claims = tokens.decode("admin", refresh_token, "refresh")
    deleted = AdminSession.delete().where(AdminSession.id == str(claims.get("baas_id"))).execute()
    if not deleted:
        raise InvalidSession("invalid session: failed to find refresh token")


def session_admin(session_id: str, admin_key_id: str) -> AdminKey:
    """Return the admin key of a live session, which must belong to `admin_key_id`.

    The console keeps the two ids in its (signed) cookie instead of tokens; the session
    row decides, so signing out, expiry and disabling the key end it like any other.
    """
    session = _live_session(session_id)
    if session.admin_key.id != admin_key_id:
        raise InvalidSession("invalid session: it belongs to another admin key")
    return session.admin_key


def end_session(session_id: str) -> None:
    """End the session with `session_id`, if it still exists (signing out twice is fine)."""
    AdminSession.delete().where(AdminSession.id == str(session_id)).execute()


def profile(admin_key: AdminKey) -> dict[str, Any]:
    """Describe the admin the way the original's profile endpoint does."""
    return {
        "user_id": admin_key.id,
        "domain_id": ZERO_ID,
        "identities": [{"id": admin_key.public_key, "provider_type": LOGIN_PROVIDER,
                        "provider_id": ZERO_ID}],
        "data": {"name": admin_key.public_key},
        "type": "normal",
        # group_name is ours (the original's roles name a group by id only): people know
        # their projects by name, and `appservices whoami` shows it.
        "roles": [{"role_name": ROLE_NAME, "group_id": group.id, "group_name": group.name}
                  for group in groups_of(admin_key)],
    }

