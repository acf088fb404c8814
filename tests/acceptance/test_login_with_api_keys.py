"""Steps of features/login_with_api_keys.feature: S1, S2, S21, disabled and deleted keys."""

from __future__ import annotations

import re
import secrets

import pytest
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import World

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/login_with_api_keys.feature")

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@when("someone logs in with a key that was never issued")
def someone_logs_in_with_a_made_up_key(world: World) -> None:
    world.response = world.log_in("api-key", {"key": "ask_" + secrets.token_urlsafe(32)})


@then("the login succeeds with an access token, a refresh token, a user id and a device id")
def the_login_succeeds(world: World) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    body = world.response.json()
    assert set(body) == {"access_token", "refresh_token", "user_id", "device_id"}, body
    assert body["access_token"].count(".") == 2 and body["refresh_token"].count(".") == 2
    assert OBJECT_ID.match(body["user_id"]) and OBJECT_ID.match(body["device_id"]), body


@then("the session opened earlier with the key has ended")
def the_earlier_session_has_ended(world: World) -> None:
    session = world.earlier_session
    assert session is not None
    refreshed = world.client_call("POST", "/auth/session", token=session.refresh_token)
    assert (refreshed.status_code, refreshed.json()["error_code"]) == (401, "InvalidSession")
    profile = world.profile(session)
    assert (profile.status_code, profile.json()["error_code"]) == (401, "InvalidSession")
