"""Looking at (and, where the API cannot yet, arranging) the database directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from app import clock, db
from app.models import Session

NO_ID = "0" * 24


@contextmanager
def in_database(app: Flask) -> Iterator[None]:
    """Open the app's database for the test itself, outside any request."""
    with app.app_context(), db.database.connection_context():
        yield


def add_session(app_id: str, user_id: str, api_key_id: str | None = None) -> Session:
    """Give a user a client session (a refresh token's row), as a login would.

    Call inside `in_database`. Stands in for a client login where the test is about
    what the Admin API does to sessions, not about how they are opened.
    """
    session: Session = Session.create(
        app=app_id, user=user_id, device_id=NO_ID, provider_type="api-key",
        provider_id=NO_ID, identity_id=NO_ID, api_key=api_key_id,
        created_at=clock.timestamp(), expires_at=clock.timestamp() + 3600,
    )
    return session
