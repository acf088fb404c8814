"""Apps: create (with the api-key provider present but disabled), list, get, delete; the
lifetime of their sessions' refresh tokens."""

from __future__ import annotations

import re
import secrets as _random

import peewee

from app import clock
from app.config import MAX_REFRESH_SECONDS, MIN_REFRESH_SECONDS
from app.db import new_object_id, write_transaction
from app.domain import providers, sessions
from app.domain.errors import AppAlreadyExists, AppNotFound, InvalidParameter
from app.domain.ids import get_or_raise
from app.models import App, Group

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
LOCATION = "US-VA"
DEPLOYMENT_MODEL = "GLOBAL"
PRODUCT = "standard"


def validate_name(name: str) -> None:
    """Refuse an app name the original would refuse (it becomes part of the client App ID)."""
    if not NAME_PATTERN.fullmatch(name):  # not match(): "$" lets a trailing "\n" through
        raise InvalidParameter(
            "app name must start with a letter and be 1-32 letters, digits, '_' or '-'"
        )


def _new_client_app_id(name: str) -> str:
    suffix = "".join(_random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5))
    return f"{name.lower()}-{suffix}"


def list_apps(group: Group) -> list[App]:
    """Return the group's apps, oldest first."""
    return list(App.select().where(App.group == group).order_by(App.id))


def create_app(group: Group, name: str) -> App:
    """Create an app in `group` with the `api-key` provider present and disabled."""
    validate_name(name)
    now = clock.timestamp()
    for _ in range(5):  # a clash of random suffixes is unlikely; retry a few times anyway
        try:
            with write_transaction():
                if App.select().where((App.group == group) & (App.name == name)).exists():
                    raise AppAlreadyExists(f"an app named '{name}' already exists")
                app = App.create(
                    id=new_object_id(),
                    group=group,
                    name=name,
                    client_app_id=_new_client_app_id(name),
                    domain_id=new_object_id(),
                    location=LOCATION,
                    deployment_model=DEPLOYMENT_MODEL,
                    product=PRODUCT,
                    created_at=now,
                    last_modified=now,
                )
                providers.add_default_providers(app)
                return app
        except peewee.IntegrityError:
            if App.select().where((App.group == group) & (App.name == name)).exists():
                raise AppAlreadyExists(f"an app named '{name}' already exists") from None
    raise AppAlreadyExists("could not allocate a unique client App ID; try again")


def get_app(group: Group, app_id: str) -> App:
    """Return the group's app with `app_id` (its `_id`, never the client App ID)."""
    return get_or_raise(App.select().where(App.group == group), app_id, AppNotFound)


def delete_app(app: App) -> None:
    """Delete the app and everything in it (providers, users, keys, sessions)."""
    with write_transaction():
        app.delete_instance()  # foreign keys cascade


def refresh_token_expiration(app: App) -> int:
    """Return how long the app's new sessions' refresh tokens live, in seconds."""
    return sessions.refresh_token_seconds(app)


def set_refresh_token_expiration(app: App, seconds: object) -> None:
    """Set the lifetime of the app's new sessions' refresh tokens (30 minutes to 5 years).

    Sessions opened before keep the expiry they were given. Anonymous users' sessions
    never expire, whatever this says, as in the original.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidParameter("'expiration_time_seconds' must be a number of seconds")
    if not MIN_REFRESH_SECONDS <= seconds <= MAX_REFRESH_SECONDS:  # NaN is neither
        raise InvalidParameter(
            f"'expiration_time_seconds' must be between {MIN_REFRESH_SECONDS} (30 minutes) "
            f"and {MAX_REFRESH_SECONDS} (5 years)"
        )
    if seconds != int(seconds):
        raise InvalidParameter("'expiration_time_seconds' must be a whole number of seconds")
    now = clock.timestamp()
    App.update(refresh_token_seconds=int(seconds), last_modified=now).where(
        App.id == app.id).execute()
    app.refresh_token_seconds, app.last_modified = int(seconds), now
