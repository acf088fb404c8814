"""Steps of features/key_usage.feature (issue 15: last use of keys, metrics)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/key_usage.feature")

LOGINS = "appservices_logins_total"
MADE_UP_KEY = "ask_this-key-does-not-exist"


def _logins(world: World) -> dict[tuple[str, str], float]:
    """The login counters of /metrics, by (provider, outcome)."""
    response = world.http.request("GET", "/metrics")
    if response.status_code == 401:
        pytest.skip("this deployment's /metrics asks for a token (METRICS_TOKEN)")
    assert response.status_code == 200, response.text
    return {(sample.labels["provider"], sample.labels["outcome"]): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples if sample.name == LOGINS}


def _last_use(world: World, name: str) -> dict[str, Any] | None:
    listed = {key["_id"]: key for key in world.server_keys()}
    used: dict[str, Any] | None = listed[world.keys[name].id].get("last_used")
    return used


def _sdk_login(world: World, name: str, sdk: str, sdk_version: str, platform: str,
               platform_version: str) -> None:
    device = {"sdk": sdk, "sdkVersion": sdk_version, "platform": platform,
              "platformVersion": platform_version}
    world.response = world.client_call(
        "POST", f"/app/{world.client_app_id}/auth/providers/api-key/login",
        json={"key": world.keys[name].value, "options": {"device": device}})
    assert world.response.status_code == 200, world.response.text


SDK_LOGIN = ('an SDK "{sdk}" "{sdk_version}" on "{platform}" "{platform_version}" '
             'logs in with the "{name}" key')


@given(pattern('an SDK "{sdk}" "{sdk_version}" on "{platform}" "{platform_version}" '
               'has logged in with the "{name}" key'))
@when(pattern(SDK_LOGIN))
def an_sdk_logs_in(world: World, sdk: str, sdk_version: str, platform: str,
                   platform_version: str, name: str) -> None:
    _sdk_login(world, name, sdk, sdk_version, platform, platform_version)


@when("someone logs in with a key that does not exist")
def a_made_up_key_logs_in(world: World) -> None:
    world.response = world.log_in("api-key", {"key": MADE_UP_KEY})
    assert world.response.status_code == 401, world.response.text


@when(parsers.parse("the server's clock moves {count:d} seconds ahead"))
def the_clock_moves_seconds(world: World, count: int) -> None:
    world.move_clock(count)


@when("the admin lists the app's keys with their last use")
def the_admin_lists_the_keys(world: World) -> None:
    world.response = world.app_call("GET", "/api_keys")
    assert world.response.status_code == 200, world.response.text


@then(pattern('the "{name}" key shows no last use'))
def no_last_use(world: World, name: str) -> None:
    assert _last_use(world, name) is None


@then(pattern('the "{name}" key was last used just now from "{address}"'))
def last_used_now_from(world: World, name: str, address: str) -> None:
    used = _last_use(world, name)
    assert used is not None
    assert used["ip_address"] == address
    assert abs(used["date"] - time.time()) < 120  # the clock is at real time here


@then(pattern('the "{name}" key was last used by the SDK "{sdk}" "{sdk_version}" on '
              '"{platform}" "{platform_version}"'))
def last_used_by(world: World, name: str, sdk: str, sdk_version: str, platform: str,
                 platform_version: str) -> None:
    used = _last_use(world, name)
    assert used is not None
    assert (used["sdk_name"], used["sdk_version"], used["platform"],
            used["platform_version"]) == (sdk, sdk_version, platform, platform_version)


@pytest.fixture
def metrics_read() -> dict[tuple[str, str], float]:
    """The login counters as the scenario first read them."""
    return {}


@given("the metrics have been read once")
def the_metrics_have_been_read(world: World, metrics_read: dict[tuple[str, str], float]
                               ) -> None:
    metrics_read.update(_logins(world))


@then(pattern('the metrics count {successes:d} more successful and {refusals:d} more '
              'refused "{provider}" logins'))
def the_metrics_count(world: World, metrics_read: dict[tuple[str, str], float],
                      successes: int, refusals: int, provider: str) -> None:
    before = metrics_read
    after = _logins(world)
    for outcome, more in (("success", successes), ("refused", refusals)):
        key = (provider, outcome)
        assert after.get(key, 0) - before.get(key, 0) == more, (outcome, before, after)
