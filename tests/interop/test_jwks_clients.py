"""Issue 14: a JWKS client nobody here wrote (PyJWT's PyJWKClient) checks our tokens.

It fetches /.well-known/jwks.json from a live server, as a team's own backend would, and
checks tokens before and after a signing-key rotation made through the Admin API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from tests.interop.test_realm_web import AdminApi
from tests.support.live_server import LiveServer

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
    admin = AdminApi(live_server.base_url)
    app = admin.call("POST", "/apps", {"name": "jwksapp"})
    admin.call("POST", f"/apps/{app['_id']}/auth_providers",
               {"type": "local-userpass", "config": {"autoConfirm": True}})
    discovery = requests.get(f"{live_server.base_url}/.well-known/openid-configuration",
                             timeout=10).json()
    # PyJWKClient refetches on an unknown kid at most every 30 s by default: a backend
    # that fetched in the 30 s before a rotation refuses new tokens until then (README).
    # The test does not wait that long.
    client = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=True, cooldown_duration=0)
    before = _login(live_server.base_url, app["client_app_id"], "ada@example.com")

    claims = _verify(client, before["access_token"], discovery["issuer"], app["client_app_id"])
    assert claims["sub"] == before["user_id"]

    rotated = requests.post(f"{admin.base}/signing_keys/rotate", headers=admin.headers,
                            timeout=10)
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
