"""Pending email/password registrations: listed, confirmed and deleted by an admin.

A `local-userpass` provider without `autoConfirm` keeps each registration pending: this
server sends no email and runs no functions, so an admin confirms it (Admin API
`user_registrations`, the console, `appservices users confirm`). A pending registration
cannot log in; once confirmed, the user appears at its first login, like any other.
"""

from __future__ import annotations

from app.domain import providers
from app.domain.errors import InvalidParameter, UserAlreadyConfirmed, UserNotFound
from app.domain.ids import get_or_raise
from app.domain.users import PAGE_SIZE, email_key
from app.models import App, PasswordCredential
from app.storage import is_object_id, write_transaction

_NOT_FOUND = "user not found"

# How the app's new email/password registrations are confirmed (`confirmation`).
BY_ADMIN = "by-admin"
AUTOMATICALLY = "automatically"
NO_PROVIDER = "no-provider"


def confirmation(app: App) -> str:
    """Tell how new registrations are confirmed: `BY_ADMIN` (they wait, pending),
    `AUTOMATICALLY` (the provider's `autoConfirm`) or `NO_PROVIDER` (there is no
    `local-userpass` provider, so nobody registers)."""
    provider = providers.find_provider(app, providers.LOCAL_USERPASS)
    if provider is None:
        return NO_PROVIDER
    return AUTOMATICALLY if provider.config.get("autoConfirm", False) is True else BY_ADMIN


def list_pending(app: App, after: str | None = None) -> list[PasswordCredential]:
    """Return one page (at most 50) of the app's pending registrations, oldest first.

    `after` is the `_id` of the last one of the previous page; when that one was
    confirmed or deleted meanwhile, the page starts at the second its id was minted in.
    """
    select = PasswordCredential.select().where(
        (PasswordCredential.app == app) & (PasswordCredential.confirmed == False)  # noqa: E712
    )
    if after is not None:
        if not is_object_id(after):
            raise InvalidParameter("'after' must be a pending user's _id "
                                   "(24 hexadecimal characters)")
        position = PasswordCredential.select(PasswordCredential.creation_order).where(
            (PasswordCredential.app == app) & (PasswordCredential.id == after)).scalar()
        select = select.where(
            PasswordCredential.creation_order > position if position is not None
            # ids are lowercase hex and begin with their Unix seconds (app.storage.new_object_id)
            else PasswordCredential.id >= after[:8]
        )
    return list(select.order_by(PasswordCredential.creation_order).limit(PAGE_SIZE))


def get_pending(app: App, registration_id: str) -> PasswordCredential:
    """Return the app's pending registration with `_id` `registration_id`."""
    return get_or_raise(
        PasswordCredential.select().where(
            (PasswordCredential.app == app) & (PasswordCredential.confirmed == False)  # noqa: E712
        ),
        registration_id, UserNotFound,
    )


def _registration(app: App, email: str) -> PasswordCredential:
    credential = PasswordCredential.get_or_none(
        (PasswordCredential.app == app) & (PasswordCredential.email == email_key(email))
    )
    if credential is None:
        raise UserNotFound(_NOT_FOUND)
    return credential


def confirm(app: App, email: str) -> None:
    """Confirm a pending registration: its email and password may log in from now on."""
    with write_transaction():
        credential = _registration(app, email)
        if credential.confirmed:
            raise UserAlreadyConfirmed("already confirmed")
        PasswordCredential.update(confirmed=True).where(
            PasswordCredential.id == credential.id).execute()


def delete_pending(app: App, email: str) -> None:
    """Delete a pending registration (a confirmed user is deleted as a user, by `_id`)."""
    deleted = PasswordCredential.delete().where(
        (PasswordCredential.app == app) & (PasswordCredential.email == email_key(email))
        & (PasswordCredential.confirmed == False)  # noqa: E712 (SQL, not Python)
    ).execute()
    if not deleted:
        raise UserNotFound(_NOT_FOUND)


def is_pending(credential: PasswordCredential) -> bool:
    """Tell whether the credential still waits for an admin's confirmation."""
    return not credential.confirmed

