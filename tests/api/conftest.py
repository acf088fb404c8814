"""Fixtures of the in-process API tests (the app, its client and an admin come from
tests/conftest.py)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.app import InProcessAdmin
from tests.support.client_actions import ClientApp, Tokens


@pytest.fixture
def realm(client: FlaskClient, admin_session: InProcessAdmin) -> ClientApp:
    """An app with the api-key, anon-user and local-userpass providers enabled."""
    return ClientApp.create(client, admin_session)


@pytest.fixture
def ann(realm: ClientApp) -> Tokens:
    """An email/password user of `realm`, logged in."""
    return realm.register_and_login("ann@example.com")
