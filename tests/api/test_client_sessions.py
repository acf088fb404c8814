"""Client API: tokens (contract §4), refresh, logout, profile and deleting oneself (§1).

Tokens are decoded here without verification, as a client or a proxy reading the claims
would; what the server accepts is checked by sending them back.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from tests.support.app import InProcessAdmin
from tests.support.client_actions import PASSWORD, ClientApp, Tokens
from tests.support.http import ADMIN_BASE, CLIENT_BASE, bearer
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

SESSION = "/auth/session"


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _domain_id(realm: ClientApp) -> str:
    domain_id: str = assert_json(realm.admin.get(realm.admin_path), 200)["domain_id"]
    return domain_id


# --- the claims ----------------------------------------------------------------------


def test_the_access_token_carries_the_contracts_claims(realm: ClientApp, ann: Tokens) -> None:
    claims = _claims(ann.access_token)

    header = jwt.get_unverified_header(ann.access_token)
    assert header["alg"] == "ES256" and header["kid"]  # issue 14: published keys
    assert set(claims) == {"sub", "typ", "iat", "exp", "baas_device_id", "baas_domain_id",
                           "iss", "aud", "baas_id"}
    assert claims["sub"] == ann.user_id
    assert claims["typ"] == "access"
    assert claims["exp"] == claims["iat"] + 30 * 60
    assert claims["baas_device_id"] == ann.device_id
    assert claims["baas_domain_id"] == _domain_id(realm)
    assert OBJECT_ID.match(claims["baas_id"])  # the session
    assert claims["iss"] == "urn:appservices-auth"  # PUBLIC_URL when set
    assert claims["aud"] == realm.client_app_id


def test_the_refresh_token_carries_the_contracts_claims(realm: ClientApp, ann: Tokens) -> None:
    claims = _claims(ann.refresh_token)
    provider = realm.admin.provider(realm.app_id, "local-userpass")
    user = assert_json(realm.admin_user(ann.user_id), 200)

    assert set(claims) == {"sub", "typ", "iat", "exp", "baas_id", "baas_device_id",
                           "baas_domain_id", "baas_identity", "iss", "aud"}
    assert claims["sub"] == ann.user_id
    assert claims["typ"] == "refresh"
    assert claims["exp"] == claims["iat"] + 60 * 24 * 3600
    assert claims["baas_id"] == _claims(ann.access_token)["baas_id"]  # one session
    assert claims["baas_device_id"] == ann.device_id
    assert claims["baas_domain_id"] == _domain_id(realm)
    assert claims["baas_identity"] == {
        "id": user["identities"][0]["id"],
        "provider_type": "local-userpass",
        "provider_id": provider["_id"],
    }


def test_a_server_key_sessions_refresh_token_names_the_api_key_identity(
    realm: ClientApp,
) -> None:
    key = realm.create_server_key()

    tokens = realm.login_with_key(key["key"])

    identity = _claims(tokens.refresh_token)["baas_identity"]
    assert identity["id"] == key["_id"]
    assert identity["provider_type"] == "api-key"


# --- a token of the wrong kind -------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("POST", SESSION),
    ("DELETE", SESSION),
    ("GET", "/auth/api_keys"),
    ("POST", "/auth/api_keys"),
])
def test_the_access_token_is_refused_where_the_refresh_token_is_wanted(
    realm: ClientApp, ann: Tokens, method: str, path: str
) -> None:
    response = realm.client.open(CLIENT_BASE + path, method=method,
                                 headers=bearer(ann.access_token), json={"name": "k"})

    assert_error(response, 401, "InvalidSession", says="refresh token")


@pytest.mark.parametrize(("method", "path"), [("GET", "/auth/profile"),
                                              ("DELETE", "/auth/delete")])
def test_the_refresh_token_is_refused_where_the_access_token_is_wanted(
    realm: ClientApp, ann: Tokens, method: str, path: str
) -> None:
    response = realm.client.open(CLIENT_BASE + path, method=method,
                                 headers=bearer(ann.refresh_token))

    assert_error(response, 401, "InvalidSession", says="access token")
    assert realm.admin_user(ann.user_id).status_code == 200


# --- tokens that are not ours --------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _with_other_user(token: str) -> str:
    head, _payload, signature = token.split(".")
    claims = {**_claims(token), "sub": "5f0000000000000000000001"}
    return f"{head}.{_b64(claims)}.{signature}"


def _unsigned(token: str) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(token))}."


def _signed_elsewhere(token: str) -> str:
    return jwt.encode(_claims(token), "somebody-elses-secret-of-enough-length", algorithm="HS256")


FORGERIES: dict[str, Callable[[str], str]] = {
    "tampered payload": _with_other_user,
    "alg none": _unsigned,
    "another key": _signed_elsewhere,
    "truncated": lambda token: token[:-2],
    "not a jwt": lambda token: "not-a-jwt",
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_access_token_is_an_invalid_session(
    realm: ClientApp, ann: Tokens, forgery: str
) -> None:
    response = realm.get("/auth/profile", FORGERIES[forgery](ann.access_token))

    assert_error(response, 401, "InvalidSession")


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_refresh_token_is_an_invalid_session(
    realm: ClientApp, ann: Tokens, forgery: str
) -> None:
    response = realm.post(SESSION, FORGERIES[forgery](ann.refresh_token))

    assert_error(response, 401, "InvalidSession")


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpw"])
def test_a_missing_bearer_token_is_an_invalid_session(
    realm: ClientApp, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = realm.client.get(f"{CLIENT_BASE}/auth/profile", headers=headers)

    assert_error(response, 401, "InvalidSession")


def test_an_admin_token_does_not_work_on_the_client_api(
    realm: ClientApp, admin_session: InProcessAdmin
) -> None:
    profile = realm.get("/auth/profile", admin_session.access_token)
    refresh = realm.post(SESSION, admin_session.refresh_token)

    assert_error(profile, 401, "InvalidSession")
    assert_error(refresh, 401, "InvalidSession")


def test_a_client_token_does_not_work_on_the_admin_api(
    realm: ClientApp, ann: Tokens
) -> None:
    profile = realm.client.get(f"{ADMIN_BASE}/auth/profile", headers=bearer(ann.access_token))
    apps = realm.admin.get(realm.admin.apps_path, token=ann.access_token)
    refresh = realm.client.post(f"{ADMIN_BASE}/auth/session", headers=bearer(ann.refresh_token))

    assert_error(profile, 401, "InvalidSession")
    assert_error(apps, 401, "InvalidSession")
    assert_error(refresh, 401, "InvalidSession")


# --- refresh -------------------------------------------------------------------------


def test_refresh_returns_a_new_access_token_of_the_same_session(
    realm: ClientApp, ann: Tokens
) -> None:
    body = assert_json(realm.post(SESSION, ann.refresh_token), 201)

    assert set(body) == {"access_token"}
    assert _claims(body["access_token"])["baas_id"] == _claims(ann.access_token)["baas_id"]
    profile = assert_json(realm.get("/auth/profile", body["access_token"]), 200)
    assert profile["user_id"] == ann.user_id


def test_refresh_accepts_the_empty_json_request_realm_core_sends(
    realm: ClientApp, ann: Tokens
) -> None:
    response = realm.client.post(f"{CLIENT_BASE}{SESSION}", data=b"", headers={
        **bearer(ann.refresh_token), "Content-Type": "application/json;charset=utf-8",
    })

    assert set(assert_json(response, 201)) == {"access_token"}


# --- logout --------------------------------------------------------------------------


def test_logout_answers_204_without_a_body_or_content_type(
    realm: ClientApp, ann: Tokens
) -> None:
    response = realm.delete(SESSION, ann.refresh_token)

    assert_no_content(response)
    assert "Content-Type" not in response.headers


def test_after_logout_neither_token_of_the_session_works(realm: ClientApp, ann: Tokens) -> None:
    realm.delete(SESSION, ann.refresh_token)

    assert_error(realm.post(SESSION, ann.refresh_token), 401, "InvalidSession",
                 says="failed to find refresh token")
    assert_error(realm.profile(ann), 401, "InvalidSession")


def test_logging_out_twice_fails_the_way_realm_web_ignores(
    realm: ClientApp, ann: Tokens
) -> None:
    realm.delete(SESSION, ann.refresh_token)

    again = realm.delete(SESSION, ann.refresh_token)

    assert_error(again, 401, "InvalidSession", says="failed to find refresh token")


def test_logout_ends_only_its_own_session(realm: ClientApp, ann: Tokens) -> None:
    other = realm.login_with_password("ann@example.com")

    realm.delete(SESSION, ann.refresh_token)

    assert realm.profile(other).status_code == 200
    assert realm.post(SESSION, other.refresh_token).status_code == 201


# --- profile -------------------------------------------------------------------------


def test_the_profile_has_exactly_the_contracts_fields(realm: ClientApp, ann: Tokens) -> None:
    body = assert_json(realm.profile(ann), 200)

    assert set(body) == {"user_id", "domain_id", "type", "identities", "data", "custom_data"}
    assert body["user_id"] == ann.user_id
    assert body["domain_id"] == _domain_id(realm)
    assert body["type"] == "normal"
    assert body["identities"] == [{
        "id": body["identities"][0]["id"],
        "provider_type": "local-userpass",
        "provider_id": realm.admin.provider(realm.app_id, "local-userpass")["_id"],
    }]
    assert body["data"]["email"] == "ann@example.com"
    assert body["custom_data"] == {}


# --- deleting oneself ----------------------------------------------------------------


def test_a_user_deletes_itself_with_its_keys_and_sessions(realm: ClientApp, ann: Tokens) -> None:
    key = realm.new_user_key(ann)
    by_key = realm.login_with_key(key["key"])

    response = realm.delete("/auth/delete", ann.access_token)

    assert_no_content(response)
    assert "Content-Type" not in response.headers
    assert_error(realm.admin_user(ann.user_id), 404, "UserNotFound")
    assert_error(realm.login("api-key", {"key": key["key"]}), 401, "AuthError")
    for tokens in (ann, by_key):
        assert_error(realm.profile(tokens), 401, "InvalidSession")
        assert_error(realm.post(SESSION, tokens.refresh_token), 401, "InvalidSession")


def test_after_deleting_itself_the_sdks_logout_is_told_the_token_is_gone(
    realm: ClientApp, ann: Tokens
) -> None:
    # realm-web's deleteUser() logs out right after and ignores exactly this failure.
    realm.delete("/auth/delete", ann.access_token)

    response = realm.delete(SESSION, ann.refresh_token)

    assert_error(response, 401, "InvalidSession", says="failed to find refresh token")


def test_a_deleted_users_email_can_register_again_as_a_new_user(
    realm: ClientApp, ann: Tokens
) -> None:
    realm.delete("/auth/delete", ann.access_token)

    again = realm.register_and_login("ann@example.com", PASSWORD)

    assert again.user_id != ann.user_id
    assert_error(realm.login("local-userpass", {"username": "ann@example.com",
                                                "password": "wrong-" + PASSWORD}),
                 401, "InvalidPassword")
