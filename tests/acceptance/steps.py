"""The steps that several features share: the app and its providers, users, keys, logins
and what the responses must show. Registered for every feature by conftest.py.

Black-box: steps speak HTTP through World (world.py) and import nothing from the service.
"""

from __future__ import annotations

import secrets

from pytest_bdd import given, parsers, then, when

from tests.acceptance.world import PASSWORD, Session, World, pattern

# --- helpers of the steps below -----------------------------------------------------


def _error_body(world: World, status: int, code: str) -> dict[str, str]:
    response = world.response
    assert response is not None, "no request was made"
    assert response.status_code == status, (
        f"expected {status} {code}, got {response.status_code}: {response.text}"
    )
    assert response.headers.get("Content-Type") == "application/json", response.headers
    body: dict[str, str] = response.json()
    assert body.get("error_code") == code, body
    assert isinstance(body.get("error"), str) and body["error"], body
    return body


def _user_key_call(world: World, email: str, method: str, path: str = "",
                   json: object = None) -> None:
    world.response = world.client_call(method, f"/auth/api_keys{path}",
                                       token=world.sessions[email].refresh_token, json=json)


def _create_server_key(world: World, name: str) -> None:
    world.response = world.app_call("POST", "/api_keys", json={"name": name})
    if world.response.status_code == 201:
        world.remember_key(world.response, "server")


def _create_user_key(world: World, email: str, name: str) -> None:
    _user_key_call(world, email, "POST", json={"name": name})
    assert world.response is not None
    if world.response.status_code == 201:
        world.remember_key(world.response, "user", owner=email)


def _set_provider_disabled(world: World, provider_type: str, disabled: bool) -> None:
    provider = world.provider(provider_type)
    action = "disable" if disabled else "enable"
    world.response = world.app_call("PUT", f"/auth_providers/{provider['_id']}/{action}")
    assert world.response.status_code == 204, world.response.text


# --- the server's test clock ---------------------------------------------------------


@given("the server's clock can be moved")
def the_clock_can_be_moved(world: World) -> None:
    world.require_test_clock()


@when(parsers.parse("the server's clock moves {count:d} minutes ahead"))
def the_clock_moves_minutes(world: World, count: int) -> None:
    world.move_clock(count * 60)


@when(parsers.parse("the server's clock moves {count:d} days ahead"))
def the_clock_moves_days(world: World, count: int) -> None:
    world.move_clock(count * 24 * 3600)


@when(parsers.parse("the server's clock moves {count:d} years ahead"))
def the_clock_moves_years(world: World, count: int) -> None:
    world.move_clock(count * 365 * 24 * 3600)


# --- the app and its providers -------------------------------------------------------


@given("a new app")
def a_new_app(world: World) -> None:
    world.create_app()


@given("an app with the API key provider enabled")
def an_app_with_api_keys_enabled(world: World) -> None:
    world.create_app()
    _set_provider_disabled(world, "api-key", disabled=False)


@given("the app lets users sign up with email and password")
def the_app_has_email_password(world: World) -> None:
    response = world.app_call("POST", "/auth_providers",
                              json={"type": "local-userpass", "config": {"autoConfirm": True}})
    assert response.status_code == 201, response.text


@given("the app lets users log in anonymously")
def the_app_has_anonymous_users(world: World) -> None:
    response = world.app_call("POST", "/auth_providers", json={"type": "anon-user"})
    assert response.status_code == 201, response.text


@given(pattern('the admin has enabled the "{provider_type}" provider'))
@when(pattern('the admin enables the "{provider_type}" provider'))
def the_admin_enables(world: World, provider_type: str) -> None:
    _set_provider_disabled(world, provider_type, disabled=False)


@when(pattern('the admin disables the "{provider_type}" provider'))
def the_admin_disables(world: World, provider_type: str) -> None:
    _set_provider_disabled(world, provider_type, disabled=True)


@then(pattern('the app\'s "{provider_type}" provider is disabled'))
def the_provider_is_disabled(world: World, provider_type: str) -> None:
    assert world.provider(provider_type)["disabled"] is True


@then(pattern('the app\'s "{provider_type}" provider is enabled'))
def the_provider_is_enabled(world: World, provider_type: str) -> None:
    assert world.provider(provider_type)["disabled"] is False


# --- users ---------------------------------------------------------------------------


@given(pattern('the user "{email}" has signed up and logged in with a password'))
def a_user_signed_up(world: World, email: str) -> None:
    registered = world.client_call(
        "POST", f"/app/{world.client_app_id}/auth/providers/local-userpass/register",
        json={"email": email, "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.text
    login = world.log_in("local-userpass", {"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    world.sessions[email] = Session.from_login(login)
    world.user_ids[email] = world.sessions[email].user_id


@given("an anonymous user has logged in")
def an_anonymous_user(world: World) -> None:
    login = world.log_in("anon-user", {})
    assert login.status_code == 200, login.text
    world.sessions["anonymous"] = Session.from_login(login)


# --- creating and managing keys ------------------------------------------------------


@given(pattern('the admin has created a server API key named "{name}"'))
def the_admin_has_created_a_server_key(world: World, name: str) -> None:
    _create_server_key(world, name)
    assert world.response is not None and world.response.status_code == 201, world.response


@when(pattern('the admin creates a server API key named "{name}"'))
def the_admin_creates_a_server_key(world: World, name: str) -> None:
    _create_server_key(world, name)


@given(pattern('"{email}" has created a user API key named "{name}"'))
def a_user_has_created_a_key(world: World, email: str, name: str) -> None:
    _create_user_key(world, email, name)
    assert world.response is not None and world.response.status_code == 201, world.response


@when(pattern('"{email}" creates a user API key named "{name}"'))
def a_user_creates_a_key(world: World, email: str, name: str) -> None:
    _create_user_key(world, email, name)


@when(pattern('the admin disables the "{name}" key'))
def the_admin_disables_a_key(world: World, name: str) -> None:
    world.response = world.app_call("PUT", f"/api_keys/{world.keys[name].id}/disable")
    assert world.response.status_code == 204, world.response.text


@when(pattern('the admin enables the "{name}" key'))
def the_admin_enables_a_key(world: World, name: str) -> None:
    world.response = world.app_call("PUT", f"/api_keys/{world.keys[name].id}/enable")
    assert world.response.status_code == 204, world.response.text


@when(pattern('the admin deletes the "{name}" key'))
def the_admin_deletes_a_key(world: World, name: str) -> None:
    world.response = world.app_call("DELETE", f"/api_keys/{world.keys[name].id}")
    assert world.response.status_code == 204, world.response.text


@when(pattern('"{email}" disables the "{name}" key'))
def a_user_disables_a_key(world: World, email: str, name: str) -> None:
    _user_key_call(world, email, "PUT", f"/{world.keys[name].id}/disable")
    assert world.response is not None and world.response.status_code == 204, world.response


@when(pattern('"{email}" enables the "{name}" key'))
def a_user_enables_a_key(world: World, email: str, name: str) -> None:
    _user_key_call(world, email, "PUT", f"/{world.keys[name].id}/enable")
    assert world.response is not None and world.response.status_code == 204, world.response


@when(pattern('"{email}" deletes the "{name}" key'))
def a_user_deletes_a_key(world: World, email: str, name: str) -> None:
    _user_key_call(world, email, "DELETE", f"/{world.keys[name].id}")
    assert world.response is not None and world.response.status_code == 204, world.response


# --- logging in with keys --------------------------------------------------------------


@given(pattern('someone has logged in with the "{name}" key'))
def someone_has_logged_in(world: World, name: str) -> None:
    response = world.log_in_with_key(name)
    assert response.status_code == 200, response.text
    world.earlier_session = world.latest_session


@when(pattern('someone logs in with the "{name}" key'))
def someone_logs_in(world: World, name: str) -> None:
    world.response = world.log_in_with_key(name)


@when("someone logs in with a key that was never issued")
def someone_logs_in_with_a_made_up_key(world: World) -> None:
    world.response = world.log_in("api-key", {"key": "ask_" + secrets.token_urlsafe(32)})


@then(pattern('logging in with the "{name}" key succeeds'))
@then(pattern('logging in with the "{name}" key, copied at creation, succeeds'))
def logging_in_succeeds(world: World, name: str) -> None:
    world.response = world.log_in_with_key(name)
    assert world.response.status_code == 200, world.response.text


@then(pattern('logging in with the "{name}" key is refused with status {status:d} '
              'and error code "{code}"'))
def logging_in_is_refused(world: World, name: str, status: int, code: str) -> None:
    world.response = world.log_in_with_key(name)
    _error_body(world, status, code)


@then(pattern('logging in with the "{name}" key is refused with status {status:d}, '
              'error code "{code}" and message "{message}"'))
def logging_in_is_refused_with(world: World, name: str, status: int, code: str,
                               message: str) -> None:
    world.response = world.log_in_with_key(name)
    assert _error_body(world, status, code)["error"] == message


@then(pattern('logging in with the "{name}" key opens a session for "{email}"'))
def logging_in_opens_a_session_for(world: World, name: str, email: str) -> None:
    world.response = world.log_in_with_key(name)
    assert world.response.status_code == 200, world.response.text
    assert world.response.json()["user_id"] == world.user_ids[email]


@then(pattern('the user logged in is "{email}"'))
def the_user_logged_in_is(world: World, email: str) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    assert world.response.json()["user_id"] == world.user_ids[email]


@then(pattern('the profile of that session lists the identities "{first}" and '
              '"{second}"'))
def the_profile_lists_identities(world: World, first: str, second: str) -> None:
    assert world.latest_session is not None
    profile = world.profile(world.latest_session)
    assert profile.status_code == 200, profile.text
    kinds = sorted(identity["provider_type"] for identity in profile.json()["identities"])
    assert kinds == sorted([first, second])


# --- outcomes of the last request ----------------------------------------------------


@then(parsers.parse("the request succeeds with status {status:d}"))
def the_request_succeeds(world: World, status: int) -> None:
    assert world.response is not None
    assert world.response.status_code == status, world.response.text


@then(pattern('the request is refused with status {status:d} and error code "{code}"'))
def the_request_is_refused(world: World, status: int, code: str) -> None:
    _error_body(world, status, code)


@then(pattern('the login is refused with status {status:d}, error code "{code}" and '
              'message "{message}"'))
def the_login_is_refused(world: World, status: int, code: str, message: str) -> None:
    assert _error_body(world, status, code)["error"] == message


@then(pattern('the error message says "{text}"'))
def the_error_message_says(world: World, text: str) -> None:
    assert world.response is not None
    message = world.response.json()["error"]
    assert text in message, message


@then(pattern('the response shows the key\'s id, its name "{name}", that it is enabled, '
              'and its value'))
def the_response_shows_the_new_key(world: World, name: str) -> None:
    assert world.response is not None
    body = world.response.json()
    assert set(body) == {"_id", "name", "disabled", "key"}, body
    assert (body["name"], body["disabled"]) == (name, False), body
    assert isinstance(body["key"], str) and body["key"], body


@then(pattern('the response shows the key\'s id, its name "{name}", that it is enabled, '
              'and no value'))
def the_response_shows_the_key(world: World, name: str) -> None:
    assert world.response is not None
    assert world.response.status_code == 200, world.response.text
    body = world.response.json()
    assert body == {"_id": world.keys[name].id, "name": name, "disabled": False}, body


@then(pattern('"{email}" has these keys, none showing its value:'))
def a_user_has_these_keys(world: World, email: str, datatable: list[list[str]]) -> None:
    _user_key_call(world, email, "GET")
    assert world.response is not None and world.response.status_code == 200, world.response
    listed = world.response.json()
    assert [key["name"] for key in listed] == [row[0] for row in datatable[1:]], listed
    assert all("key" not in key for key in listed), listed


# --- users, as the admin sees them --------------------------------------------------


def _data_cell(data: dict[str, object]) -> str:
    return ", ".join(f"{name}={value}" for name, value in sorted(data.items()))


@then("the app's users are:")
def the_apps_users_are(world: World, datatable: list[list[str]]) -> None:
    seen = sorted(
        (user["type"], ",".join(i["provider_type"] for i in user["identities"]),
         _data_cell(user["data"]))
        for user in world.users()
    )
    expected = sorted((row[0], row[1], row[2]) for row in datatable[1:])
    assert seen == expected


@then(pattern('the user logged in is the server user of the "{name}" key'))
def the_user_is_the_server_user(world: World, name: str) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    assert world.response.json()["user_id"] == world.server_user_of(name)["_id"]


# --- how many keys and users there are ---------------------------------------------------


@then("the app has no server API keys")
def the_app_has_no_server_keys(world: World) -> None:
    assert world.server_keys() == []


@then(parsers.parse("the app still has {count:d} server API key"))
@then(parsers.parse("the app still has {count:d} server API keys"))
def the_app_still_has_server_keys(world: World, count: int) -> None:
    assert len(world.server_keys()) == count


@then(parsers.parse("the app still has {count:d} server users"))
def the_app_still_has_server_users(world: World, count: int) -> None:
    assert sum(user["type"] == "server" for user in world.users()) == count
