"""Steps of features/user_objects.feature: S8, S9, S10."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import PASSWORD, Session, World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/user_objects.feature")


def _profile(world: World, session: Session | None) -> dict[str, Any]:
    assert session is not None, "no session was opened"
    response = world.profile(session)
    assert response.status_code == 200, response.text
    profile: dict[str, Any] = response.json()
    return profile


@then("the profile of that session has the fields user_id, domain_id, type, data, "
      "custom_data and identities")
def the_profile_has_the_fields(world: World) -> None:
    profile = _profile(world, world.latest_session)
    assert set(profile) == {"user_id", "domain_id", "type", "data", "custom_data",
                            "identities"}, profile


@then(pattern('its identities are one "{provider_type}" identity whose id is the '
              '"{name}" key\'s id'))
def the_profile_identity_is_the_key(world: World, provider_type: str, name: str) -> None:
    identities = _profile(world, world.latest_session)["identities"]
    assert [(i["provider_type"], i["id"]) for i in identities] == [
        (provider_type, world.keys[name].id)
    ], identities


@then(pattern('its data gives the name "{name}"'))
def the_profile_data_names_the_key(world: World, name: str) -> None:
    assert _profile(world, world.latest_session)["data"]["name"] == name


@when(pattern('a client logs in with the server key "{name}"'))
@when(pattern('a client logs in with the user key "{name}"'))
def a_client_logs_in_with_a_key(world: World, name: str) -> None:
    world.response = world.log_in_with_key(name)
    assert world.response.status_code == 200, world.response.text


@when(pattern('a client logs in with the password of "{email}"'))
def a_client_logs_in_with_a_password(world: World, email: str) -> None:
    world.response = world.log_in("local-userpass", {"username": email, "password": PASSWORD})
    assert world.response.status_code == 200, world.response.text
    world.latest_session = Session.from_login(world.response)


@then(pattern('the profile of that session has type "{user_type}"'))
@then(pattern('its type is "{user_type}"'))
def the_session_profile_has_type(world: World, user_type: str) -> None:
    assert _profile(world, world.latest_session)["type"] == user_type


@when("the admin lists the app's users")
def the_admin_lists_the_users(world: World) -> None:
    world.response = world.app_call("GET", "/users")


@then("every user object has its own _id and the fields type, data, custom_data and "
      "identities")
def every_user_object_has_the_fields(world: World) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    users = world.response.json()
    for user in users:
        assert {"_id", "type", "data", "custom_data", "identities"} <= set(user), user
    assert len({user["_id"] for user in users}) == len(users), users


@then("every user reads its own profile")
def every_user_reads_its_profile(world: World) -> None:
    for user in world.users():
        if user["type"] == "server":
            response = world.log_in_with_key(user["data"]["name"])
            assert response.status_code == 200, response.text
            session = world.latest_session
        else:
            session = world.sessions[user["data"]["email"]]
        profile = _profile(world, session)
        assert (profile["user_id"], profile["type"]) == (user["_id"], user["type"]), profile
