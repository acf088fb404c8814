"""The real Realm Web SDK (npm `realm-web` 2.x) against a live server.

This is the proof of wire compatibility: an app written with realm-web works with no
change but its base URL. realm-web is installed by npm into a cache folder outside
the repository on first use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer
from tests.support.realm_web import FLOW_SCRIPT, ensure_realm_web


def _node_or_fail() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node and npm:
        return node
    message = "Node.js and npm are needed to run the realm-web interoperability test"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: a missing Node.js is a failure)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def realm_web() -> Path:
    """The node_modules folder holding realm-web, installed on first use."""
    _node_or_fail()
    return ensure_realm_web()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("realm-web-server")) as server:
        yield server


class AdminApi:
    """The few Admin API calls that set up an app for the SDK, over real HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base = f"{base_url}/api/admin/v3.0"
        login = requests.post(
            f"{self.base}/auth/providers/mongodb-cloud/login",
            json={"username": ADMIN_PUBLIC_KEY, "apiKey": ADMIN_PRIVATE_KEY}, timeout=10,
        )
        login.raise_for_status()
        self.headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        profile = requests.get(f"{self.base}/auth/profile", headers=self.headers, timeout=10)
        self.group_id = profile.json()["roles"][0]["group_id"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.base}/groups/{self.group_id}{path}",
                                    json=body, headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None


def test_realm_web_manages_and_uses_api_keys_unchanged(
    realm_web: Path, live_server: LiveServer
) -> None:
    admin = AdminApi(live_server.base_url)
    app = admin.call("POST", "/apps", {"name": "sdkapp"})
    app_path = f"/apps/{app['_id']}"
    api_key_provider = next(p for p in admin.call("GET", f"{app_path}/auth_providers")
                            if p["type"] == "api-key")
    admin.call("PUT", f"{app_path}/auth_providers/{api_key_provider['_id']}/enable")
    admin.call("POST", f"{app_path}/auth_providers",
               {"type": "local-userpass", "config": {"autoConfirm": True}})
    server_key = admin.call("POST", f"{app_path}/api_keys", {"name": "backend"})

    result = subprocess.run(
        ["node", str(FLOW_SCRIPT), live_server.base_url, app["client_app_id"],
         server_key["key"], "ada@example.com", "correct-horse"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "NODE_PATH": str(realm_web)},
    )
    assert result.returncode == 0, result.stderr + "\n" + live_server.log_tail()
    seen = json.loads(result.stdout)

    # A user key: created, listed without its value, fetched.
    assert seen["createdKeyHasValue"] is True
    assert (seen["createdName"], seen["createdDisabled"]) == ("laptop", False)
    assert seen["listed"] == [{"id": seen["keyId"], "name": "laptop", "disabled": False,
                               "hasKey": False}]
    assert seen["fetchedName"] == "laptop"
    # Logging in with it yields the owner, who now has an api-key identity too.
    assert seen["userKeyLoginId"] == seen["ownerId"]
    assert seen["userKeyIdentities"] == ["api-key", "local-userpass"]
    # Disabled, its login fails the way the SDK reports; enabled again; deleted.
    assert seen["afterDisable"] is True
    assert seen["disabledLogin"] == {"failed": True, "statusCode": 401,
                                     "errorCode": "AuthError", "error": "unauthorized"}
    assert seen["afterEnable"] is False
    assert seen["afterDelete"] == 0
    assert seen["deletedLogin"]["failed"] is True
    assert seen["deletedLogin"]["statusCode"] == 401
    # Refresh and log out as apps do.
    assert seen["refreshedProfile"] == "ada@example.com"
    assert seen["ownerStateAfterLogout"] == "logged-out"
    # A server key logs in as its server user.
    assert seen["serverUserType"] == "server"
    assert seen["serverIdentities"] == ["api-key"]
    assert seen["serverName"] == "backend"
