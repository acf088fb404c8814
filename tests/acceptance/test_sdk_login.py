"""Steps of features/sdk_login.feature: the real realm-web SDK against the server (S21-S23).

Each realm-web step runs `node realm_web.js <command>` once. realm-web is installed by
npm into a cache folder outside the repository on first use (tests/support/realm_web.py).
Without Node.js the scenarios are skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, scenarios, then, when

from tests.acceptance.world import PASSWORD, Key, World, pattern
from tests.support.realm_web import ensure_realm_web, node_available

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/sdk_login.feature")

SCRIPT = Path(__file__).with_name("realm_web.js")


@pytest.fixture(scope="session")
def realm_web_modules() -> Path:
    """The node_modules folder holding realm-web, installed on first use."""
    if not node_available():
        message = "Node.js and npm are needed to run realm-web"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: a missing Node.js is a failure)")
        pytest.skip(message)
    return ensure_realm_web()


def _realm_web(modules: Path, command: str, arguments: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        ["node", str(SCRIPT), command], input=json.dumps(arguments), capture_output=True,
        text=True, timeout=120, env={**os.environ, "NODE_PATH": str(modules)}, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    seen: dict[str, Any] = json.loads(completed.stdout)
    return seen


@given("Node.js and realm-web are available")
def realm_web_is_available(realm_web_modules: Path) -> None:
    assert (realm_web_modules / "realm-web").is_dir()


@when(pattern('realm-web logs in with the "{name}" key'), target_fixture="realm_web_user")
def realm_web_logs_in_with_a_key(world: World, realm_web_modules: Path,
                                 name: str) -> dict[str, Any]:
    return _realm_web(realm_web_modules, "log-in-with-api-key", {
        "baseUrl": world.http.base_url, "appId": world.client_app_id,
        "key": world.keys[name].value,
    })


@given(pattern('realm-web has logged in as "{email}" and created a user API key named '
               '"{name}"'), target_fixture="realm_web_created")
@when(pattern('realm-web logs in as "{email}" and creates a user API key named "{name}"'),
      target_fixture="realm_web_created")
def realm_web_creates_a_key(world: World, realm_web_modules: Path, email: str,
                            name: str) -> dict[str, Any]:
    created = _realm_web(realm_web_modules, "create-user-api-key", {
        "baseUrl": world.http.base_url, "appId": world.client_app_id,
        "email": email, "password": PASSWORD, "name": name,
    })
    assert created["userId"] == world.user_ids[email], created
    # What the app would keep: the value, copied now, the only time it is shown.
    world.keys[name] = Key(name, created["id"], created["key"], "user", owner=email)
    return created


@then(pattern('realm-web\'s user is the server user of the "{name}" key'))
def realm_web_user_is_the_server_user(world: World, realm_web_user: dict[str, Any],
                                      name: str) -> None:
    assert realm_web_user["id"] == world.server_user_of(name)["_id"]


@then(pattern('realm-web\'s user has type "{user_type}" and one "{provider_type}" identity'))
def realm_web_user_has_type(realm_web_user: dict[str, Any], user_type: str,
                            provider_type: str) -> None:
    assert realm_web_user["type"] == user_type, realm_web_user
    assert realm_web_user["identities"] == [provider_type], realm_web_user


@then("realm-web received the new key's value")
def realm_web_received_the_value(realm_web_created: dict[str, Any]) -> None:
    assert isinstance(realm_web_created["key"], str) and realm_web_created["key"]
    assert realm_web_created["disabled"] is False


@then(pattern('realm-web lists the key "{name}" without its value'))
def realm_web_lists_the_key(realm_web_created: dict[str, Any], name: str) -> None:
    assert realm_web_created["listed"] == [{"name": name, "disabled": False,
                                            "hasValue": False}]


@then(pattern('realm-web\'s user is "{email}"'))
def realm_web_user_is(world: World, realm_web_user: dict[str, Any], email: str) -> None:
    assert realm_web_user["id"] == world.user_ids[email], realm_web_user
