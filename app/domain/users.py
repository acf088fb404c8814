"""App users as the Admin API sees them: list, create (email/password), get, delete,
enable, disable, log out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import peewee

from app import clock
from app.domain import passwords, providers, text
from app.domain.errors import (
    InvalidParameter,
    ProviderDisabled,
    UserAlreadyExists,
    UserNotFound,
)
from app.domain.ids import get_or_raise
from app.models import App, AuthProvider, Device, Identity, PasswordCredential, Session, User
from app.storage import is_object_id, new_object_id, write_transaction
from app.storage.statements import Select

PAGE_SIZE = 50
# No whitespace, control or bidirectional formatting characters (PostgreSQL refuses a NUL
# byte outright; an override makes an address display as another).
EMAIL_PATTERN = re.compile(
    f"^[^@\\s{text.CONTROL_CHARACTERS}]{{1,64}}@[^@\\s{text.CONTROL_CHARACTERS}]{{1,253}}$"
)

# Every profile and every user-key call reads them: compiled once (app.storage.statements).
_IDENTITIES_OF_USER = Select(
    [Identity],
    lambda p: Identity.select().where(Identity.user == p.user).order_by(Identity.id),
    user=Identity.user,
)


def identities_of(user: User) -> list[Identity]:
    """Return the user's identities, oldest first."""
    return [identity for identity, in _IDENTITIES_OF_USER.rows(user=user)]


@dataclass(frozen=True)
class UserQuery:
    """Filters and position of one page of the user list."""

    after: str | None = None
    descending: bool = False
    status: str | None = None  # "enabled" or "disabled"
    provider_types: tuple[str, ...] = ()
    limit: int = PAGE_SIZE


def list_users(app: App, query: UserQuery) -> list[User]:
    """Return one page (at most 50) of the app's users, in creation order.

    `after` names the last user of the previous page. Users are numbered by the
    database as they are created (`creation_order`): ids minted by different processes
    or servers do not sort by creation. When the `after` user was deleted meanwhile, the
    page starts at the second its id was minted in (its first 4 bytes): a user of that
    second may show twice, none is skipped.
    """
    if query.after is not None and not is_object_id(query.after):
        raise InvalidParameter("'after' must be a user id (24 hexadecimal characters)")
    for provider_type in query.provider_types:
        providers.validate_type(provider_type)
    select = User.select().where(User.app == app)
    if query.status is not None:
        select = select.where(User.disabled == (query.status == "disabled"))
    if query.provider_types:
        with_identity = Identity.select(Identity.user).where(
            (Identity.app == app) & (Identity.provider_type.in_(query.provider_types))
        )
        select = select.where(User.id.in_(with_identity))
    if query.after is not None:
        select = select.where(_after(app, query.after, query.descending))
    order = User.creation_order.desc() if query.descending else User.creation_order.asc()
    return list(select.order_by(order).limit(min(query.limit, PAGE_SIZE)))


def _after(app: App, user_id: str, descending: bool) -> peewee.Expression:
    """The users that come after `user_id` in the listing's order."""
    position: int | None = User.select(User.creation_order).where(
        (User.app == app) & (User.id == user_id)).scalar()
    if position is not None:
        return (User.creation_order < position if descending
                else User.creation_order > position)
    minted = int(user_id[:8], 16)  # the id's Unix seconds (app.storage.new_object_id)
    return User.creation_date <= minted if descending else User.creation_date >= minted


def identities_by_user(users: list[User]) -> dict[str, list[Identity]]:
    """Return the identities of `users` in one query, keyed by user id."""
    result: dict[str, list[Identity]] = {user.id: [] for user in users}
    if users:
        rows = Identity.select().where(Identity.user.in_(list(result))).order_by(Identity.id)
        for identity in rows:
            result[identity.user_id].append(identity)
    return result


def devices_of(user: User) -> list[Device]:
    """Return the devices the user has a session on, the most recently seen first.

    A login records its device (app.domain.logins) and its session keeps the device's
    id: the user's devices are those of its sessions. A device the user logged out of
    (or whose sessions were revoked) is no longer listed; a login that described no
    device (the zero id) has none.
    """
    with_session = Session.select(Session.device_id).where(Session.user == user.id)
    return list(Device.select().where((Device.app == user.app_id)
                                      & Device.id.in_(with_session))
                .order_by(Device.last_seen.desc(), Device.id))


def get_user(app: App, user_id: str) -> User:
    """Return the app's user with `user_id`."""
    return get_or_raise(User.select().where(User.app == app), user_id, UserNotFound)


def normalise_email(email: str) -> str:
    """Check an email address's shape and return it as it is stored (`email_key`)."""
    email = email_key(email)
    text.refuse_control_characters(email, "email")
    if not EMAIL_PATTERN.fullmatch(email):
        raise InvalidParameter("'email' must be an email address")
    return email


def create_with_identity(app: App, provider: AuthProvider, external_id: str, *,
                         user_type: str = "normal", data: dict[str, Any] | None = None,
                         now: int | None = None) -> tuple[User, Identity]:
    """Create a user with its first identity (call inside a write transaction).

    Every user is made here: at a first login, for an email/password user an admin adds
    and for a server key's server user.
    """
    now = clock.timestamp() if now is None else now
    user = User.create(id=new_object_id(), app=app, type=user_type, creation_date=now,
                       data=data or {}, custom_data={})
    identity = Identity.create(id=new_object_id(), user=user, app=app,
                               provider_type=provider.type, provider_id=provider.id,
                               external_id=external_id, created_at=now)
    return user, identity


def add_password_credential(app: App, email: str, password: str, *, confirmed: bool,
                            taken: str, user_provider: AuthProvider | None = None
                            ) -> User | None:
    """Store an email/password credential (email normalised, password validated).

    Registering (app.domain.logins) stores it alone: its user appears at its first login.
    An admin adding a user passes the `local-userpass` provider as `user_provider`, and
    the user is created with it, in the same transaction; it is returned. An email
    already registered in the app is refused with `taken` as the message.
    """
    password_hash = passwords.hash_password(password)  # slow: outside the transaction
    try:
        with write_transaction():
            if PasswordCredential.select().where(
                (PasswordCredential.app == app) & (PasswordCredential.email == email)
            ).exists():
                raise UserAlreadyExists(taken)
            credential = PasswordCredential.create(id=new_object_id(), app=app, email=email,
                                                   password_hash=password_hash,
                                                   confirmed=confirmed)
            if user_provider is None:
                return None
            user, _identity = create_with_identity(app, user_provider, credential.id,
                                                   data={"email": email})
            return user
    except peewee.IntegrityError:  # the unique index, should a writer slip past
        raise UserAlreadyExists(taken) from None


def create_password_user(app: App, email: str, password: str) -> User:
    """Create a user of the `local-userpass` provider (which must exist)."""
    email = normalise_email(email)
    passwords.validate(password)
    provider = providers.find_provider(app, providers.LOCAL_USERPASS)
    if provider is None:
        raise ProviderDisabled(
            "the app has no local-userpass auth provider; add it before creating "
            "email/password users"
        )
    user = add_password_credential(app, email, password, confirmed=True,
                                   taken=f"a user with email '{email}' already exists",
                                   user_provider=provider)
    assert user is not None  # asked for with user_provider
    return user


def delete_user(user: User) -> None:
    """Delete a user with its identities, email/password credentials, keys and sessions."""
    with write_transaction():
        credential_ids = Identity.select(Identity.external_id).where(
            (Identity.user == user.id) & (Identity.provider_type == providers.LOCAL_USERPASS)
        )
        PasswordCredential.delete().where(PasswordCredential.id.in_(credential_ids)).execute()
        user.delete_instance()  # identities, keys and sessions cascade


def set_disabled(user: User, disabled: bool) -> None:
    """Enable or disable a user (idempotent). Disabling ends the user's sessions."""
    with write_transaction():
        User.update(disabled=disabled).where(User.id == user.id).execute()
        if disabled:
            Session.delete().where(Session.user == user.id).execute()
    user.disabled = disabled


def logout(user: User) -> None:
    """Revoke every session (refresh token) of the user."""
    Session.delete().where(Session.user == user.id).execute()


def email_key(address: str) -> str:
    """The form an email is stored and compared in: trimmed, lower-cased, Unicode NFC.

    Without NFC, "josé" typed with a precomposed é and with e + a combining accent would
    be two accounts that look identical.
    """
    return unicodedata.normalize("NFC", address.strip().lower())
