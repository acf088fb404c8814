"""Steps of features/pending_users_and_session_lifetime.feature.

Time moves on the server's test clock (POST /_testing/clock), never by sleeping.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.world import PASSWORD, World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/pending_users_and_session_lifetime.feature")


@given("the app lets users sign up with email and password, confirmed by the admin")
def the_app_has_email_password_confirmed_by_the_admin(world: World) -> None:
    response = world.app_call("POST", "/auth_providers",
                              json={"type": "local-userpass", "config": {"autoConfirm": False}})
    assert response.status_code == 201, response.text


@given(pattern('"{email}" has registered'))
@when(pattern('"{email}" registers'))
def registers(world: World, email: str) -> None:
    response = world.client_call(
        "POST", f"/app/{world.client_app_id}/auth/providers/local-userpass/register",
        json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text


def _pending(world: World) -> list[str]:
    response = world.app_call("GET", "/user_registrations/pending_users")
    assert response.status_code == 200, response.text
    return [pending["login_ids"][0]["id"] for pending in response.json()]


@then(pattern('the app\'s pending users are "{email}"'))
def the_pending_users_are(world: World, email: str) -> None:
    assert _pending(world) == [email]


@then("the app has no pending users")
def no_pending_users(world: World) -> None:
    assert _pending(world) == []


def _log_in(world: World, email: str) -> requests.Response:
    return world.log_in("local-userpass", {"username": email, "password": PASSWORD})


@then(pattern('logging in as "{email}" is refused with status {status:d} and message '
              '"{message}"'))
def logging_in_is_refused(world: World, email: str, status: int, message: str) -> None:
    response = _log_in(world, email)
    assert response.status_code == status, response.text
    assert response.json()["error"] == message, response.text


@then(pattern('logging in as "{email}" succeeds'))
def logging_in_succeeds(world: World, email: str) -> None:
    response = _log_in(world, email)
    assert response.status_code == 200, response.text


@when(pattern('the admin confirms "{email}"'))
def the_admin_confirms(world: World, email: str) -> None:
    response = world.app_call("POST", f"/user_registrations/by_email/{quote(email)}/confirm")
    assert response.status_code == 204, response.text


@when(pattern('the admin deletes the pending registration of "{email}"'))
def the_admin_deletes_the_registration(world: World, email: str) -> None:
    response = world.app_call("DELETE", f"/user_registrations/by_email/{quote(email)}")
    assert response.status_code == 204, response.text


# --- the app's refresh token lifetime ------------------------------------------------------


@when(parsers.parse("the admin sets the app's refresh token expiration to {seconds:d} seconds"))
def the_admin_sets_the_expiration(world: World, seconds: int) -> None:
    response = world.app_call("PUT", "/security/refresh_token_expiration",
                              json={"expiration_time_seconds": seconds})
    assert response.status_code == 204, response.text


@then(parsers.parse("the app's refresh token expiration is {seconds:d} seconds"))
def the_expiration_is(world: World, seconds: int) -> None:
    response = world.app_call("GET", "/security/refresh_token_expiration")
    assert response.json() == {"expiration_time_seconds": seconds}, response.text


@then(pattern('the refresh token of that session is refused with status {status:d} and '
              'error code "{code}"'))
def the_refresh_token_is_refused(world: World, status: int, code: str) -> None:
    assert world.latest_session is not None
    response = world.client_call("POST", "/auth/session",
                                 token=world.latest_session.refresh_token)
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code, response.text
