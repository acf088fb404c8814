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
from pathlib import Path

import pytest

from tests.support.admin_api import AdminApi
from tests.support.http import Live
from tests.support.live_server import LiveServer
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


def test_realm_web_manages_and_uses_api_keys_unchanged(
    realm_web: Path, live_server: LiveServer
) -> None:
    admin = AdminApi(Live(live_server.base_url)).log_in()
    app = admin.create_app("sdkapp")
    admin.enable_api_keys(app["_id"])
    admin.enable_provider(app["_id"], "local-userpass", {"autoConfirm": True})
    server_key = admin.new_server_key(app["_id"], "backend")

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
