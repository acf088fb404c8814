"""Steps of features/key_lifetime.feature: keys never expire, access tokens do (S3).

Time moves on the server's test clock (POST /_testing/clock), never by sleeping.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.world import CLOCK, World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/key_lifetime.feature")

MINUTE = 60
YEAR = 365 * 24 * 60 * MINUTE


@given("the server's clock can be moved")
def the_clock_can_be_moved(world: World) -> None:
    response = world.http.request("POST", CLOCK, json={"reset": True})
    if response.status_code == 404:
        pytest.fail(
            f"this scenario moves the server's clock, and {world.http.base_url} has no test "
            f"clock (POST {CLOCK} answered 404): start that server with "
            "APPSERVICES_TEST_CLOCK=1, or leave out these scenarios (-m 'not S3')",
            pytrace=False,
        )
    assert response.status_code == 200, response.text
    world.clock_moved = True  # from here on, put it back after the scenario


def _move_clock(world: World, seconds: int) -> None:
    response = world.http.request("POST", CLOCK, json={"advance_seconds": seconds})
    assert response.status_code == 200, response.text
    world.admin.log_in()  # the admin's own access token lasts 30 minutes too


@when(parsers.parse("the server's clock moves {count:d} years ahead"))
def the_clock_moves_years(world: World, count: int) -> None:
    _move_clock(world, count * YEAR)


@when(parsers.parse("the server's clock moves {count:d} minutes ahead"))
def the_clock_moves_minutes(world: World, count: int) -> None:
    _move_clock(world, count * MINUTE)


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
