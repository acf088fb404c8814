"""Upgrading a database of schema version 3 (the release before the security fixes) loses
nothing that was legitimately there, and takes back what the old rules let through.

- Version 4: identities that were linked to server users (an earlier release let a key
  session link a password to its user) and the sessions they opened are removed; the
  server user keeps its key, its key identity and its key's sessions.
- Version 5: stored emails are put in Unicode NFC, the user's data with them, so an
  address registered in another normal form still logs in; where that would make two
  accounts of one app look the same, the row is left as it is.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import storage
from app.domain import api_keys, logins, passwords, providers, sessions, tokens
from app.models import Identity, PasswordCredential, SchemaVersion, Session, User
from tests.support.client_actions import PASSWORD
from tests.support.store import (
    app_before_upgrade,
    in_database,
    legacy_app,
    take_away_after_5,
    upgraded_app,
)

DECOMPOSED = "jose\u0301@example.com"  # "josé" with a combining accent: NFD
COMPOSED = unicodedata.normalize("NFC", DECOMPOSED)
TWIN_DECOMPOSED = "rene\u0301@example.com"
TWIN_COMPOSED = unicodedata.normalize("NFC", TWIN_DECOMPOSED)


@dataclass(frozen=True)
class Version3:
    client_app_id: str
    server_key: str
    server_user_id: str
    key_session_id: str
    linked_session_id: str
    decomposed_user_id: str


def _login(app_row: object, provider_type: str) -> logins.LoginTarget:
    client_app_id = app_row.client_app_id  # type: ignore[attr-defined]
    return logins.login_target(client_app_id, provider_type)


@pytest.fixture
def version_3_database(database_url: str, tmp_path: Path) -> Version3:
    """A database as version 3 could leave it: a server user with a password linked to it
    and a session that password opened, and emails stored in decomposed form."""
    old = app_before_upgrade(database_url, tmp_path / "old")
    with in_database(old):
        app, password_provider = legacy_app()
        issued = api_keys.create_server_key(app, "reporting")
        no_device = logins.LoginRequest(device={})
        key_login = logins.login_with_api_key(_login(app, providers.API_KEY), issued.key,
                                              no_device)
        server_user = User.get_by_id(issued.api_key.user_id)
        # What the old rules allowed: the attacker's password linked to the server user,
        # and a session it opened. Written directly, as the old code would have.
        attacker = PasswordCredential.create(id=storage.new_object_id(), app=app,
                                             email="attacker@example.com", password_hash="x")
        linked = Identity.create(id=storage.new_object_id(), user=server_user, app=app,
                                 provider_type=providers.LOCAL_USERPASS,
                                 provider_id=password_provider.id,
                                 external_id=attacker.id, created_at=1)
        linked_session = Session.create(
            id=storage.new_object_id(), app=app, user=server_user, device_id=sessions.NO_DEVICE,
            provider_type=linked.provider_type, provider_id=linked.provider_id,
            identity_id=linked.external_id, api_key=None, created_at=1, expires_at=None)
        # Emails stored before they were put in NFC: one alone, and one whose NFC form
        # another account of the app already has.
        decomposed = _register_as_version_3(app, DECOMPOSED)
        _register_as_version_3(app, TWIN_COMPOSED)
        _register_as_version_3(app, TWIN_DECOMPOSED)
        key_session_id = tokens.decode("client", key_login.refresh_token,
                                                "refresh")["baas_id"]
        take_away_after_5()
        SchemaVersion.delete().execute()
        for version in (1, 2, 3):
            SchemaVersion.create(version=version, applied_at=0)
    storage.close_all()
    return Version3(app.client_app_id, issued.key, server_user.id, key_session_id,
                    linked_session.id, decomposed.id)


def _register_as_version_3(app: object, email: str) -> User:
    """A registered and logged-in email/password user, its email stored as it came."""
    credential = PasswordCredential.create(
        id=storage.new_object_id(), app=app, email=email,
        password_hash=passwords.hash_password(PASSWORD))
    provider = providers.find_provider(app, providers.LOCAL_USERPASS)  # type: ignore[arg-type]
    assert provider is not None
    user = User.create(id=storage.new_object_id(), app=app, type="normal", creation_date=1,
                       data={"email": email}, custom_data={})
    Identity.create(id=storage.new_object_id(), user=user, app=app,
                    provider_type=providers.LOCAL_USERPASS, provider_id=provider.id,
                    external_id=credential.id, created_at=1)
    return user


def test_a_server_user_keeps_its_key_and_loses_what_linking_gave_it(
    version_3_database: Version3, database_url: str, tmp_path: Path
) -> None:
    before = version_3_database

    upgraded = upgraded_app(database_url, tmp_path / "new", since=7)

    with in_database(upgraded):
        identities = Identity.select().where(Identity.user == before.server_user_id)
        assert [identity.provider_type for identity in identities] == ["api-key"]
        remaining = {session.id for session in
                     Session.select().where(Session.user == before.server_user_id)}
        assert remaining == {before.key_session_id}
        # The key still logs in as its server user.
        target = logins.login_target(before.client_app_id, providers.API_KEY)
        result = logins.login_with_api_key(target, before.server_key,
                                           logins.LoginRequest(device={}))
        assert result.user_id == before.server_user_id


def test_an_email_stored_in_another_normal_form_still_logs_in_in_either(
    version_3_database: Version3, database_url: str, tmp_path: Path
) -> None:
    before = version_3_database

    upgraded = upgraded_app(database_url, tmp_path / "new", since=7)

    client = upgraded.test_client()
    url = (f"/api/client/v2.0/app/{before.client_app_id}"
           "/auth/providers/local-userpass/login")
    for spelling in (COMPOSED, DECOMPOSED, COMPOSED.upper()):
        response = client.post(url, json={"username": spelling, "password": PASSWORD})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["user_id"] == before.decomposed_user_id
    with in_database(upgraded):
        assert User.get_by_id(before.decomposed_user_id).data == {"email": COMPOSED}
        assert PasswordCredential.select().where(
            PasswordCredential.email == DECOMPOSED).count() == 0


def test_an_email_whose_normal_form_is_taken_is_left_as_it_was(
    version_3_database: Version3, database_url: str, tmp_path: Path
) -> None:
    upgraded = upgraded_app(database_url, tmp_path / "new", since=7)

    with in_database(upgraded):
        emails = sorted(credential.email for credential in PasswordCredential.select().where(
            PasswordCredential.email.in_([TWIN_COMPOSED, TWIN_DECOMPOSED])))
    assert emails == sorted([TWIN_COMPOSED, TWIN_DECOMPOSED])
