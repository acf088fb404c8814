"""Steps of features/key_lifetime.feature: keys never expire, access tokens do (S3).

Time moves on the server's test clock (POST /_testing/clock), never by sleeping.
"""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios, then

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/key_lifetime.feature")



@then("the access token of that new session reads the profile")
def the_new_access_token_works(world: World) -> None:
    assert world.latest_session is not None
    response = world.profile(world.latest_session)
    assert response.status_code == 200, response.text


@then("the access token of the earlier session still reads the profile")
def the_earlier_access_token_works(world: World) -> None:
    assert world.earlier_session is not None
    response = world.profile(world.earlier_session)
    assert response.status_code == 200, response.text


@then(pattern('the access token of the earlier session is refused with status {status:d}, '
              'error code "{code}" and a message containing "{text}"'))
def the_earlier_access_token_is_refused(world: World, status: int, code: str,
                                        text: str) -> None:
    assert world.earlier_session is not None
    response = world.profile(world.earlier_session)
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code, response.text
    assert text in response.json()["error"], response.text


@then("the refresh token of the earlier session still gets a new access token")
def the_earlier_refresh_token_works(world: World) -> None:
    assert world.earlier_session is not None
    response = world.client_call("POST", "/auth/session",
                                 token=world.earlier_session.refresh_token)
    assert response.status_code == 201, response.text
    assert response.json()["access_token"].count(".") == 2
