"""App Users → Pending Users: registrations waiting for an admin, confirmed or deleted.

Registrations and logins go through the Client API, as an SDK sends them; the page is
driven as a person at a browser would (tests/console/conftest.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from app.domain import providers, registrations
from app.models import App, PasswordCredential
from tests.console.driver import Console, new_console, page_text
from tests.support.client_actions import PASSWORD
from tests.support.http import CLIENT_BASE
from tests.support.store import in_database

EMAIL = "ada@example.com"


def _app_with_userpass(console: Console, name: str = "signups", *,
                       auto_confirm: bool = False) -> App:
    created = console.create_app(name)
    with in_database(console.flask_app):
        providers.create_provider(created, providers.LOCAL_USERPASS,
                                  config={"autoConfirm": auto_confirm})
    return created


def _client_call(console: Console, created: App, action: str, body: dict[str, Any]) -> TestResponse:
    return console.client.post(
        f"{CLIENT_BASE}/app/{created.client_app_id}/auth/providers/local-userpass/{action}",
        json=body)


def _register(console: Console, created: App, email: str = EMAIL) -> PasswordCredential:
    response = _client_call(console, created, "register", {"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return next(p for p in _pending(console.flask_app, created) if p.email == email)


def _login(console: Console, created: App, email: str = EMAIL) -> TestResponse:
    return _client_call(console, created, "login", {"username": email, "password": PASSWORD})


def _pending(flask_app: Flask, created: App) -> list[PasswordCredential]:
    with in_database(flask_app):
        return registrations.list_pending(created)


def test_the_page_lists_pending_registrations_and_is_in_the_users_tabs(
        console: Console) -> None:
    created = _app_with_userpass(console)
    registration = _register(console, created)
    base = console.app_path(created)
    users_page = console.get(f"{base}/users")
    assert f'href="{base}/users/pending"' in users_page.text
    page = console.get(f"{base}/users/pending")
    assert page.status_code == 200
    assert "<h1>App Users</h1>" in page.text
    assert f'href="{base}/users/pending" class="tab" aria-current="page"' in page.text
    assert EMAIL in page_text(page)
    assert registration.id in page.text
    assert f'action="{base}/users/pending/{registration.id}/confirm"' in page.text
    assert f'href="{base}/users/pending/{registration.id}/delete"' in page.text


def test_confirm_lets_the_registration_log_in(console: Console) -> None:
    created = _app_with_userpass(console, "confirms")
    registration = _register(console, created)
    assert _login(console, created).status_code == 401  # pending: "confirmation required"
    base = console.app_path(created)
    console.get(f"{base}/users/pending")
    response = console.post(f"{base}/users/pending/{registration.id}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{base}/users/pending"
    page = page_text(console.get(f"{base}/users/pending"))
    assert f"{EMAIL} is confirmed and can log in now" in page
    assert "No registration waits for confirmation." in page
    assert _pending(console.flask_app, created) == []
    login = _login(console, created)
    assert login.status_code == 200, login.text
    assert login.json is not None and login.json["access_token"]


def test_delete_asks_then_removes_the_registration(console: Console) -> None:
    created = _app_with_userpass(console, "deletes")
    registration = _register(console, created)
    base = console.app_path(created)
    ask = console.get(f"{base}/users/pending/{registration.id}/delete")
    assert ask.status_code == 200
    assert f"<h1>Delete pending user {EMAIL}?</h1>" in ask.text
    assert "This cannot be undone." in page_text(ask)
    assert len(_pending(console.flask_app, created)) == 1  # asking deletes nothing
    response = console.post(f"{base}/users/pending/{registration.id}/delete")
    assert response.headers["Location"] == f"{base}/users/pending"
    assert _pending(console.flask_app, created) == []
    assert f"Pending user {EMAIL} is deleted." in page_text(console.get(f"{base}/users/pending"))
    assert _login(console, created).status_code == 401
    # the email may register again, and is pending again
    assert _register(console, created).id != registration.id


def test_a_confirmed_or_unknown_registration_is_not_found(console: Console) -> None:
    created = _app_with_userpass(console, "gone")
    registration = _register(console, created)
    base = console.app_path(created)
    console.post(f"{base}/users/pending/{registration.id}/confirm")
    again = console.post(f"{base}/users/pending/{registration.id}/confirm")
    assert again.status_code == 404
    assert again.mimetype == "text/html"
    assert console.get(f"{base}/users/pending/{registration.id}/delete").status_code == 404
    assert console.get(f"{base}/users/pending/not-an-id/delete").status_code == 404


def test_a_form_without_the_csrf_token_is_refused(console: Console) -> None:
    created = _app_with_userpass(console, "forged")
    registration = _register(console, created)
    base = console.app_path(created)
    for action in ("confirm", "delete"):
        response = console.post(f"{base}/users/pending/{registration.id}/{action}",
                                csrf=False)
        assert response.status_code == 400, action
        assert "security token" in page_text(response)
    assert [p.id for p in _pending(console.flask_app, created)] == [registration.id]
    assert _login(console, created).status_code == 401


def test_another_groups_app_is_not_found(app: Flask, console: Console) -> None:
    stranger = new_console(app, "elsewhere")
    theirs = _app_with_userpass(stranger, "theirs")
    registration = _register(stranger, theirs)
    base = stranger.app_path(theirs)
    assert console.get(f"{base}/users/pending").status_code == 404
    assert console.get(f"{base}/users/pending/{registration.id}/delete").status_code == 404
    assert console.post(f"{base}/users/pending/{registration.id}/confirm").status_code == 404
    assert console.post(f"{base}/users/pending/{registration.id}/delete").status_code == 404
    assert [p.id for p in _pending(app, theirs)] == [registration.id]
    # and a registration of another app is not found under one's own app
    mine = _app_with_userpass(console, "mine")
    response = console.post(f"{console.app_path(mine)}/users/pending/{registration.id}/confirm")
    assert response.status_code == 404
    assert [p.id for p in _pending(app, theirs)] == [registration.id]


def test_a_signed_out_visitor_is_sent_to_sign_in(visitor: Console) -> None:
    created = _app_with_userpass(visitor, "private")
    registration = _register(visitor, created)
    base = visitor.app_path(created)
    response = visitor.get(f"{base}/users/pending")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/sign-in")
    response = visitor.post(f"{base}/users/pending/{registration.id}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/sign-in")
    assert [p.id for p in _pending(visitor.flask_app, created)] == [registration.id]


def test_the_page_says_why_nothing_waits(console: Console) -> None:
    automatic = _app_with_userpass(console, "automatic", auto_confirm=True)
    assert _client_call(console, automatic, "register",
                        {"email": EMAIL, "password": PASSWORD}).status_code == 201
    page = page_text(console.get(f"{console.app_path(automatic)}/users/pending"))
    assert ("No registration waits for confirmation: the Email/Password provider confirms "
            "every registration automatically") in page
    absent = console.create_app("absent")
    page = page_text(console.get(f"{console.app_path(absent)}/users/pending"))
    assert ("No registration waits for confirmation: this app has no Email/Password "
            "( local-userpass ) provider") in page
    by_admin = _app_with_userpass(console, "byadmin")
    page = page_text(console.get(f"{console.app_path(by_admin)}/users/pending"))
    assert "No registration waits for confirmation." in page
    assert "each registration waits here until an admin confirms it" in page
