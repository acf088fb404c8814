"""Steps of features/server_api_keys.feature: S1, S2, S9, S11, S12, S13, S15, S18."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/server_api_keys.feature")

# What an external service runs: it knows the server's URL and the app's client App ID
# from its configuration and reads the key from its standard input. Nothing else.
EXTERNAL_SERVICE = """
import json, sys
import requests

base_url, client_app_id = sys.argv[1:3]
key = sys.stdin.read().strip()
client = base_url + "/api/client/v2.0"
login = requests.post(f"{client}/app/{client_app_id}/auth/providers/api-key/login",
                      json={"key": key}, timeout=30)
tokens = login.json()
profile = requests.get(f"{client}/auth/profile", timeout=30,
                       headers={"Authorization": "Bearer " + tokens.get("access_token", "")})
print(json.dumps({"status": login.status_code, "tokens": tokens,
                  "profile_status": profile.status_code, "profile": profile.json()}))
"""


@given("the app has no users")
def the_app_has_no_users(world: World) -> None:
    assert world.users() == []


@then(pattern('each server user\'s "{provider_type}" identity is the id of the key of '
              'that name'))
def each_server_user_has_its_key(world: World, provider_type: str) -> None:
    server_users = [user for user in world.users() if user["type"] == "server"]
    assert server_users
    for user in server_users:
        key = world.keys[user["data"]["name"]]
        assert [(i["provider_type"], i["id"]) for i in user["identities"]] == [
            (provider_type, key.id)
        ], user


@when(pattern('the admin fetches the "{name}" key'))
def the_admin_fetches_a_key(world: World, name: str) -> None:
    world.response = world.app_call("GET", f"/api_keys/{world.keys[name].id}")


@when("the admin lists the app's server API keys")
def the_admin_lists_the_keys(world: World) -> None:
    world.response = world.app_call("GET", "/api_keys")


@then("no key in the list shows a value")
def no_listed_key_shows_a_value(world: World) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    listed = world.response.json()
    assert listed, "the list is empty"
    assert all(set(key) == {"_id", "name", "disabled"} for key in listed), listed


@then(pattern('no response after the one that created the "{name}" key contains its value'))
def no_later_response_repeats_the_value(world: World, name: str) -> None:
    key = world.keys[name]
    later = world.http.history[key.created_at + 1:]
    assert later, "no request was made after the key was created"
    for response in later:
        assert key.value not in response.text, (response.request.method, response.url)


@given(parsers.parse("the app has {count:d} server API keys"))
def the_app_has_many_server_keys(world: World, count: int) -> None:
    for number in range(1, count + 1):
        response = world.app_call("POST", "/api_keys", json={"name": f"service-{number:03d}"})
        assert response.status_code == 201, f"key {number}: {response.text}"
    assert len(world.server_keys()) == count


@then(pattern('no server API key is named "{name}"'))
def no_key_is_named(world: World, name: str) -> None:
    assert name not in {key["name"] for key in world.server_keys()}


@when(pattern('a separate process that knows only the server\'s URL, the app\'s client App '
              'ID and the "{name}" key logs in'), target_fixture="external_service")
def a_separate_process_logs_in(world: World, name: str) -> dict[str, Any]:
    # No admin credentials, no database settings: only what a real external service has.
    environment = {variable: value for variable, value in os.environ.items()
                   if not variable.startswith(("APPSERVICES_", "DATABASE_"))}
    completed = subprocess.run(
        [sys.executable, "-c", EXTERNAL_SERVICE, world.http.base_url, world.client_app_id],
        input=world.keys[name].value, capture_output=True, text=True, timeout=60,
        env=environment, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    seen: dict[str, Any] = json.loads(completed.stdout)
    return seen


@then("that process receives an access token and a refresh token")
def the_process_has_tokens(external_service: dict[str, Any]) -> None:
    assert external_service["status"] == 200, external_service
    tokens = external_service["tokens"]
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert token.count(".") == 2, tokens  # a JWT: header.claims.signature


@then(pattern('the profile that process reads is the server user of the "{name}" key'))
def the_process_is_the_server_user(world: World, external_service: dict[str, Any],
                                   name: str) -> None:
    assert external_service["profile_status"] == 200, external_service
    profile = external_service["profile"]
    assert profile["user_id"] == world.server_user_of(name)["_id"]
    assert profile["type"] == "server"
