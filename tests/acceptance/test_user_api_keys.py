"""Steps of features/user_api_keys.feature: S2, S19, S20, S21."""

from __future__ import annotations

import pytest
from pytest_bdd import given, scenarios, then, when

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/user_api_keys.feature")


@when(pattern('the anonymous user creates a user API key named "{name}"'))
def the_anonymous_user_creates_a_key(world: World, name: str) -> None:
    world.response = world.client_call("POST", "/auth/api_keys", json={"name": name},
                                       token=world.sessions["anonymous"].refresh_token)


@when(pattern('"{email}" fetches the "{name}" key'))
def a_user_fetches_a_key(world: World, email: str, name: str) -> None:
    world.response = world.client_call("GET", f"/auth/api_keys/{world.keys[name].id}",
                                       token=world.sessions[email].refresh_token)


def _keys_of(world: World, email: str) -> list[dict[str, object]]:
    response = world.client_call("GET", "/auth/api_keys",
                                 token=world.sessions[email].refresh_token)
    assert response.status_code == 200, response.text
    listed: list[dict[str, object]] = response.json()
    return listed


@then(pattern('"{email}" has no keys'))
def a_user_has_no_keys(world: World, email: str) -> None:
    assert _keys_of(world, email) == []


@given(pattern('"{email}" has {count:d} user API keys'))
def a_user_has_many_keys(world: World, email: str, count: int) -> None:
    for number in range(1, count + 1):
        response = world.client_call("POST", "/auth/api_keys",
                                     json={"name": f"device-{number:02d}"},
                                     token=world.sessions[email].refresh_token)
        assert response.status_code == 201, f"key {number}: {response.text}"
    assert len(_keys_of(world, email)) == count


@then(pattern('"{email}" still has {count:d} user API keys'))
def a_user_still_has_keys(world: World, email: str, count: int) -> None:
    assert len(_keys_of(world, email)) == count

