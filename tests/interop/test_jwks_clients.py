"""Issue 14: JWKS clients nobody here wrote (PyJWT's PyJWKClient, npm `jose`) check our tokens.

It fetches /.well-known/jwks.json from a live server, as a team's own backend would, and
checks tokens before and after a signing-key rotation made through the Admin API.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.admin_api import AdminApi
from tests.support.http import Live
from tests.support.jose import VERIFY_SCRIPT, ensure_jose
from tests.support.live_server import LiveServer
from tests.support.realm_web import node_available

PASSWORD = "correct-horse"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # One worker: the worker that rotates is the one that signs next (another worker
    # would see the new key within its cache's few seconds).
    with LiveServer(tmp_path_factory.mktemp("jwks-server"), workers=1) as server:
        yield server


def _login(base_url: str, client_app_id: str, email: str) -> dict[str, str]:
    app_url = f"{base_url}/api/client/v2.0/app/{client_app_id}"
    requests.post(f"{app_url}/auth/providers/local-userpass/register",
                  json={"email": email, "password": PASSWORD}, timeout=10)
    response = requests.post(f"{app_url}/auth/providers/local-userpass/login",
                             json={"username": email, "password": PASSWORD}, timeout=10)
    response.raise_for_status()
    tokens: dict[str, str] = response.json()
    return tokens


def _verify(client: jwt.PyJWKClient, token: str, issuer: str, audience: str) -> dict[str, str]:
    key = client.get_signing_key_from_jwt(token)
    claims: dict[str, str] = jwt.decode(token, key, algorithms=["ES256"], issuer=issuer,
                                        audience=audience)
    return claims


def test_pyjwkclient_verifies_tokens_before_and_after_a_rotation(
    live_server: LiveServer, tmp_path: Path
) -> None:
    admin = AdminApi(Live(live_server.base_url)).log_in()
    app = admin.ok("POST", "/apps", {"name": "jwksapp"})
    admin.ok("POST", f"/apps/{app['_id']}/auth_providers",
               {"type": "local-userpass", "config": {"autoConfirm": True}})
    discovery = requests.get(f"{live_server.base_url}/.well-known/openid-configuration",
                             timeout=10).json()
    # PyJWKClient refetches on an unknown kid at most every 30 s by default: a backend
    # that fetched in the 30 s before a rotation refuses new tokens until then (docs).
    # The test does not wait that long.
    client = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=True, cooldown_duration=0)
    before = _login(live_server.base_url, app["client_app_id"], "ada@example.com")

    claims = _verify(client, before["access_token"], discovery["issuer"], app["client_app_id"])
    assert claims["sub"] == before["user_id"]

    rotated = admin.post("/signing_keys/rotate")
    assert rotated.status_code == 201, rotated.text
    after = _login(live_server.base_url, app["client_app_id"], "bob@example.com")

    assert jwt.get_unverified_header(after["access_token"])["kid"] == rotated.json()["kid"]
    # The client's cached set lacks the new key: it fetches again on the unknown kid.
    for token in (before["access_token"], before["refresh_token"], after["access_token"]):
        _verify(client, token, discovery["issuer"], app["client_app_id"])
    # A token from before the rotation still works on the server too.
    profile = requests.get(
        f"{live_server.base_url}/api/client/v2.0/auth/profile",
        headers={"Authorization": f"Bearer {before['access_token']}"}, timeout=10)
    assert profile.status_code == 200, profile.text


def _jose(jose_modules: Path, discovery: dict[str, str], audience: str,
          *tokens: str) -> list[dict[str, object]]:
    result = subprocess.run(
        ["node", str(VERIFY_SCRIPT), discovery["jwks_uri"], discovery["issuer"], audience,
         *tokens],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "NODE_PATH": str(jose_modules)},
    )
    assert result.returncode == 0, result.stderr
    checked: list[dict[str, object]] = json.loads(result.stdout)
    return checked


def test_jose_verifies_tokens_before_and_after_a_rotation_and_refuses_forgeries(
    live_server: LiveServer
) -> None:
    if not node_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Node.js and npm are needed for the jose test (CI=true)")
        pytest.skip("Node.js and npm are needed for the jose test")
    modules = ensure_jose()
    admin = AdminApi(Live(live_server.base_url)).log_in()
    app = admin.ok("POST", "/apps", {"name": "joseapp"})
    admin.ok("POST", f"/apps/{app['_id']}/auth_providers",
               {"type": "local-userpass", "config": {"autoConfirm": True}})
    discovery = requests.get(f"{live_server.base_url}/.well-known/openid-configuration",
                             timeout=10).json()
    audience = app["client_app_id"]
    before = _login(live_server.base_url, audience, "ada@example.com")
    claims = jwt.decode(before["access_token"], options={"verify_signature": False})
    kid = jwt.get_unverified_header(before["access_token"])["kid"]
    stranger = ec.generate_private_key(ec.SECP256R1())
    forged = [
        jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": "unknown"}),
        jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": kid}),
        jwt.encode(claims, None, algorithm="none", headers={"kid": kid}),
    ]

    checked = _jose(modules, discovery, "another-app", before["access_token"])
    assert checked == [{"ok": False, "code": "ERR_JWT_CLAIM_VALIDATION_FAILED"}]
    checked = _jose(modules, discovery, audience, before["access_token"], *forged)
    assert checked[0] == {"ok": True, "sub": before["user_id"], "kid": kid}
    assert [result["ok"] for result in checked[1:]] == [False, False, False]

    rotated = admin.post("/signing_keys/rotate")
    assert rotated.status_code == 201, rotated.text
    after = _login(live_server.base_url, audience, "bob@example.com")
    checked = _jose(modules, discovery, audience, before["access_token"],
                    before["refresh_token"], after["access_token"])
    assert [result["ok"] for result in checked] == [True, True, True], checked
    assert checked[2]["kid"] == rotated.json()["kid"]
