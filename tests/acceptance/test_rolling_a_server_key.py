"""Steps of features/rolling_a_server_key.feature: rolling a server key with a grace
period, and keys that expire (issue 14, parts 3 and 4; our extensions).

Black-box, as every step here: HTTP to the server and nothing else. Time moves on the
server's test clock (POST /_testing/clock), never by sleeping.
"""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import Key, World, pattern
from tests.support.http import CLOCK

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/rolling_a_server_key.feature")

ROLLED = "{name} (rolled)"  # where a rolled key's new value is kept among the world's keys


def _roll(world: World, name: str, body: dict[str, int] | None) -> None:
    key = world.keys[name]
    world.response = world.app_call("POST", f"/api_keys/{key.id}/roll", json=body)
    if world.response.status_code == 200:
        rolled = world.response.json()
        world.keys[ROLLED.format(name=name)] = Key(name, key.id, rolled["key"], "server")


@when(pattern('the admin rolls the "{name}" key'))
def the_admin_rolls(world: World, name: str) -> None:
    _roll(world, name, None)
    assert world.response is not None and world.response.status_code == 200, world.response


@when(pattern('the admin rolls the "{name}" key with a grace period of {seconds:d} seconds'))
def the_admin_rolls_with_grace(world: World, name: str, seconds: int) -> None:
    _roll(world, name, {"grace_period_seconds": seconds})


@then(pattern('the roll shows the key\'s id, its name "{name}" and a new value'))
def the_roll_shows(world: World, name: str) -> None:
    assert world.response is not None
    body = world.response.json()
    assert body["_id"] == world.keys[name].id and body["name"] == name, body
    assert body["key"].startswith("ask_") and body["key"] != world.keys[name].value
    assert body["disabled"] is False and body["previous_key_valid_until"] is None, body


@then(pattern('logging in with the new value of the "{name}" key succeeds as the same '
              'server user'))
def the_new_value_logs_in(world: World, name: str) -> None:
    assert world.earlier_session is not None
    response = world.log_in_with_key(ROLLED.format(name=name))
    assert response.status_code == 200, response.text
    assert response.json()["user_id"] == world.earlier_session.user_id


def _refresh(world: World, token: str) -> int:
    response = world.client_call("POST", "/auth/session", token=token)
    world.response = response
    return response.status_code


@then("the refresh token of the earlier session still gets a new access token")
def the_earlier_refresh_token_works(world: World) -> None:
    assert world.earlier_session is not None
    assert _refresh(world, world.earlier_session.refresh_token) == 201


@then(pattern('the refresh token of the earlier session is refused with status {status:d} '
              'and error code "{code}"'))
def the_earlier_refresh_token_is_refused(world: World, status: int, code: str) -> None:
    assert world.earlier_session is not None
    assert _refresh(world, world.earlier_session.refresh_token) == status
    assert world.response is not None and world.response.json()["error_code"] == code


@then(pattern('the refresh token of that session is refused with status {status:d} and '
              'error code "{code}"'))
def the_latest_refresh_token_is_refused(world: World, status: int, code: str) -> None:
    assert world.latest_session is not None
    assert _refresh(world, world.latest_session.refresh_token) == status
    assert world.response is not None and world.response.json()["error_code"] == code


@when(pattern('the admin creates a server API key named "{name}" that expires in '
              '{seconds:d} seconds'))
def the_admin_creates_an_expiring_key(world: World, name: str, seconds: int) -> None:
    now = world.http.request("GET", CLOCK).json()["now"]
    world.response = world.app_call("POST", "/api_keys",
                                    json={"name": name, "expires_at": now + seconds})
    assert world.response.status_code == 201, world.response.text
    assert world.response.json()["expires_at"] == now + seconds
    world.remember_key(world.response, "server")


def _listed(world: World, name: str) -> dict[str, object]:
    return next(key for key in world.server_keys() if key["name"] == name)


@then(pattern('the key list shows when "{name}" expires'))
def the_list_shows_the_expiry(world: World, name: str) -> None:
    assert isinstance(_listed(world, name).get("expires_at"), int)


@then(pattern('the key list shows no expiry for "{name}"'))
def the_list_shows_no_expiry(world: World, name: str) -> None:
    assert "expires_at" not in _listed(world, name)
