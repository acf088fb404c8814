"""Steps of features/token_verification.feature (issue 14): verifying our tokens with a
JWKS client, refusing forged ones, and rotating the signing key. Black-box over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/token_verification.feature")



@pytest.fixture
def kids() -> dict[str, str]:
    """The signing keys' ids the rotation scenario has seen: "old" and "new"."""
    return {}


def _discovery(world: World) -> dict[str, Any]:
    response = world.http.request("GET", "/.well-known/openid-configuration")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _jwks_client(world: World) -> jwt.PyJWKClient:
    # A new client per check: its cache and refetch cooldown are not what is tested.
    return jwt.PyJWKClient(world.http.base_url + "/.well-known/jwks.json")


def _verify(world: World, token: str) -> dict[str, Any]:
    discovery = _discovery(world)
    key = _jwks_client(world).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=discovery["id_token_signing_alg_values_supported"],
        issuer=discovery["issuer"], audience=world.client_app_id)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _refused(world: World, token: str) -> None:
    response = world.client_call("GET", "/auth/profile", token=token)
    assert response.status_code == 401, response.text
    assert response.json()["error_code"] == "InvalidSession", response.text


def _session_token(world: World) -> str:
    assert world.latest_session is not None
    return world.latest_session.access_token


@then("a JWKS client verifies the new session's access and refresh tokens")
def a_jwks_client_verifies(world: World) -> None:
    assert world.response is not None and world.response.status_code == 200
    session = world.latest_session
    assert session is not None
    assert _verify(world, session.access_token)["sub"] == session.user_id
    assert _verify(world, session.refresh_token)["typ"] == "refresh"


@then("the server refuses the access token re-signed with an unknown key")
def refuses_unknown_key(world: World) -> None:
    token = _session_token(world)
    claims = jwt.decode(token, options={"verify_signature": False})
    stranger = ec.generate_private_key(ec.SECP256R1())
    _refused(world, jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": "stranger"}))


@then(pattern('the server refuses the access token re-signed with "alg" "{algorithm}"'))
def refuses_alg_none(world: World, algorithm: str) -> None:
    token = _session_token(world)
    header = {**jwt.get_unverified_header(token), "alg": algorithm}
    payload = token.split(".")[1]
    _refused(world, f"{_b64(json.dumps(header).encode())}.{payload}.")


@then("the server refuses the access token re-signed with HS256 and the public key as secret")
def refuses_algorithm_confusion(world: World) -> None:
    token = _session_token(world)
    header = {**jwt.get_unverified_header(token), "alg": "HS256"}
    public = _jwks_client(world).get_signing_key_from_jwt(token).key
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{_b64(json.dumps(header).encode())}.{token.split('.')[1]}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    _refused(world, f"{signing_input}.{_b64(signature)}")


@when("the admin rotates the signing key")
def the_admin_rotates(world: World, kids: dict[str, str]) -> None:
    assert world.earlier_session is not None
    kids["old"] = jwt.get_unverified_header(world.earlier_session.access_token)["kid"]
    response = world.admin.post("/signing_keys/rotate")
    assert response.status_code == 201, response.text
    kids["new"] = response.json()["kid"]


@then("new logins are signed with the new key")
def new_logins_use_the_new_key(world: World, kids: dict[str, str]) -> None:
    # Every server worker sees the new key within its few seconds' cache (README).
    deadline = time.monotonic() + 10
    while True:
        response = world.log_in_with_key("backend")
        assert response.status_code == 200, response.text
        kid = jwt.get_unverified_header(_session_token(world))["kid"]
        if kid == kids["new"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # polling other workers' caches, not waiting on a behaviour's time
    assert kid == kids["new"]


@then("the earlier session's access token still reads the profile")
def the_earlier_token_still_works(world: World) -> None:
    assert world.earlier_session is not None
    response = world.profile(world.earlier_session)
    assert response.status_code == 200, response.text


@then("a JWKS client verifies the earlier and the new session's tokens")
def a_jwks_client_verifies_both(world: World) -> None:
    assert world.earlier_session is not None
    _verify(world, world.earlier_session.access_token)
    _verify(world, world.earlier_session.refresh_token)
    _verify(world, _session_token(world))


@then("the old key is no longer published")
def the_old_key_is_gone(world: World, kids: dict[str, str]) -> None:
    response = world.http.request("GET", "/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    published = [key["kid"] for key in response.json()["keys"]]
    assert kids["old"] not in published and kids["new"] in published
