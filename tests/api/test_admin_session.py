"""Admin API sessions: login with a key pair, refresh, logout, profile.

Contract §2 (the first four rows) and §3 (bad sessions are a 401 `InvalidSession`).
Time is moved with `app.clock`, never waited for.
"""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock
from app.domain import tokens
from app.models import AdminKey
from tests.support.app import InProcessAdmin, new_admin
from tests.support.http import ADMIN_BASE, bearer
from tests.support.http import ADMIN_LOGIN as LOGIN
from tests.support.store import in_database
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

SESSION = f"{ADMIN_BASE}/auth/session"
PROFILE = f"{ADMIN_BASE}/auth/profile"


def _log_in_again(client: FlaskClient, admin: InProcessAdmin) -> TestResponse:
    """Log in with the admin's key pair once more, by hand (a session of its own)."""
    return client.post(LOGIN, json={"username": admin.public_key, "apiKey": admin.private_key})


# --- login ---------------------------------------------------------------------------


def test_login_with_a_key_pair_returns_four_strings_with_jwt_tokens(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    body = assert_json(_log_in_again(client, admin_session), 200)

    assert set(body) == {"access_token", "refresh_token", "user_id", "device_id"}
    assert all(isinstance(value, str) for value in body.values())
    assert body["access_token"].count(".") == 2
    assert body["refresh_token"].count(".") == 2
    assert body["access_token"] != body["refresh_token"]
    assert OBJECT_ID.match(body["user_id"])
    assert OBJECT_ID.match(body["device_id"])


def test_each_login_opens_a_new_session_with_its_own_tokens(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    again = assert_json(_log_in_again(client, admin_session), 200)

    assert again["refresh_token"] != admin_session.refresh_token
    assert client.get(PROFILE, headers=bearer(again["access_token"])).status_code == 200
    assert client.get(PROFILE, headers=bearer(admin_session.access_token)).status_code == 200


@pytest.mark.parametrize("who", ["unknown public key", "wrong private key"])
def test_if_the_key_pair_is_wrong_then_login_is_refused_without_saying_which_half(
    client: FlaskClient, admin_session: InProcessAdmin, who: str
) -> None:
    credentials = {"username": admin_session.public_key, "apiKey": admin_session.private_key}
    if who == "unknown public key":
        credentials["username"] = "nosuchkey"
    else:
        last = "y" if admin_session.private_key.endswith("x") else "x"  # never the right one
        credentials["apiKey"] = admin_session.private_key[:-1] + last

    message = assert_error(client.post(LOGIN, json=credentials), 401, "AuthError")

    assert "public" not in message.lower()
    assert "private" not in message.lower()


def test_if_the_admin_key_is_disabled_then_login_is_refused_and_its_tokens_stop_working(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    with in_database(app):
        AdminKey.update(disabled=True).where(
            AdminKey.public_key == admin_session.public_key
        ).execute()

    assert_error(_log_in_again(client, admin_session), 401, "AuthError")
    assert_error(admin_session.get("/auth/profile"), 401, "InvalidSession")
    assert_error(client.post(SESSION, headers=bearer(admin_session.refresh_token)),
                 401, "InvalidSession")


def test_a_public_key_no_admin_key_could_have_is_refused_like_any_unknown_one(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for username in ["nul\u0000byte", "\u0000", "x" * 1000, "ünïcode", ""]:
        with subtests.test(username=username):
            response = client.post(LOGIN, json={"username": username,
                                                "apiKey": admin_session.private_key})

            assert_error(response, 401, "AuthError")


@pytest.mark.parametrize("missing", ["username", "apiKey"])
def test_login_without_a_credential_field_is_a_missing_parameter(
    client: FlaskClient, admin_session: InProcessAdmin, missing: str
) -> None:
    credentials = {"username": admin_session.public_key, "apiKey": admin_session.private_key}
    del credentials[missing]

    assert_error(client.post(LOGIN, json=credentials), 400, "MissingParameter", says=missing)


# --- refresh -------------------------------------------------------------------------


def test_refresh_returns_a_new_access_token_that_works(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    body = assert_json(client.post(SESSION, headers=bearer(admin_session.refresh_token)), 201)

    assert set(body) == {"access_token"}
    assert body["access_token"].count(".") == 2
    assert client.get(PROFILE, headers=bearer(body["access_token"])).status_code == 200


def test_refresh_accepts_the_empty_json_request_realm_core_sends(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    response = client.post(SESSION, data=b"", headers={
        **bearer(admin_session.refresh_token), "Content-Type": "application/json;charset=utf-8",
    })

    assert set(assert_json(response, 201)) == {"access_token"}


def test_if_the_access_token_is_sent_to_refresh_then_it_is_an_invalid_session(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    response = client.post(SESSION, headers=bearer(admin_session.access_token))

    assert_error(response, 401, "InvalidSession", says="refresh token")


def test_if_the_refresh_token_is_sent_where_the_access_token_is_wanted_then_it_is_refused(
    admin_session: InProcessAdmin,
) -> None:
    profile = admin_session.get("/auth/profile", token=admin_session.refresh_token)
    apps = admin_session.get(admin_session.apps_path, token=admin_session.refresh_token)

    assert_error(profile, 401, "InvalidSession", says="access token")
    assert_error(apps, 401, "InvalidSession", says="access token")


def test_if_the_access_token_is_sent_to_logout_then_it_is_refused_and_the_session_lives(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    response = client.delete(SESSION, headers=bearer(admin_session.access_token))

    assert_error(response, 401, "InvalidSession", says="refresh token")
    assert client.post(SESSION, headers=bearer(admin_session.refresh_token)).status_code == 201


# --- logout --------------------------------------------------------------------------


def test_logout_ends_the_session_so_its_refresh_token_is_no_longer_found(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    assert_no_content(client.delete(SESSION, headers=bearer(admin_session.refresh_token)))

    refreshed = client.post(SESSION, headers=bearer(admin_session.refresh_token))
    assert_error(refreshed, 401, "InvalidSession", says="failed to find refresh token")


def test_after_logout_the_sessions_access_token_stops_working_too(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    client.delete(SESSION, headers=bearer(admin_session.refresh_token))

    assert_error(admin_session.get("/auth/profile"), 401, "InvalidSession")


def test_logging_out_twice_is_an_invalid_session_the_second_time(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    client.delete(SESSION, headers=bearer(admin_session.refresh_token))

    again = client.delete(SESSION, headers=bearer(admin_session.refresh_token))
    assert_error(again, 401, "InvalidSession", says="failed to find refresh token")


def test_logout_ends_only_its_own_session(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    other = assert_json(_log_in_again(client, admin_session), 200)

    client.delete(SESSION, headers=bearer(admin_session.refresh_token))

    assert client.get(PROFILE, headers=bearer(other["access_token"])).status_code == 200
    assert client.post(SESSION, headers=bearer(other["refresh_token"])).status_code == 201


# --- expiry --------------------------------------------------------------------------


def test_an_access_token_still_works_after_29_minutes(admin_session: InProcessAdmin) -> None:
    clock.advance(timedelta(minutes=29))

    assert admin_session.get("/auth/profile").status_code == 200


def test_an_access_token_expires_after_30_minutes(admin_session: InProcessAdmin) -> None:
    clock.advance(timedelta(minutes=31))

    response = admin_session.get("/auth/profile")
    assert_error(response, 401, "InvalidSession", says="access token expired")


def test_after_the_access_token_expired_the_refresh_token_gets_a_working_one(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    clock.advance(timedelta(minutes=31))

    body = assert_json(client.post(SESSION, headers=bearer(admin_session.refresh_token)), 201)
    assert client.get(PROFILE, headers=bearer(body["access_token"])).status_code == 200


def test_the_refresh_token_expires_after_the_admin_session_lifetime(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    clock.advance(timedelta(seconds=app.config["ADMIN_REFRESH_TOKEN_SECONDS"] + 60))

    response = client.post(SESSION, headers=bearer(admin_session.refresh_token))
    assert_error(response, 401, "InvalidSession", says="expired")


# --- tokens that are not ours --------------------------------------------------------


def test_if_the_bearer_token_is_missing_or_malformed_then_the_session_is_invalid(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for authorization in [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
                          "Bearer not-a-jwt", "Bearer a.b.c", admin_session.access_token]:
        with subtests.test(authorization=authorization):
            headers = {} if authorization is None else {"Authorization": authorization}

            assert_error(client.get(PROFILE, headers=headers), 401, "InvalidSession")


def test_if_the_signature_is_tampered_with_then_the_session_is_invalid(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    head, payload, signature = admin_session.access_token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    response = client.get(PROFILE, headers=bearer(f"{head}.{payload}.{flipped}"))
    assert_error(response, 401, "InvalidSession")


def test_a_token_signed_with_another_secret_is_an_invalid_session(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    claims = jwt.decode(admin_session.access_token, options={"verify_signature": False})
    forged = jwt.encode(claims, "somebody-elses-secret-of-enough-length", algorithm="HS256")

    assert_error(client.get(PROFILE, headers=bearer(forged)), 401, "InvalidSession")


def test_a_client_api_token_does_not_pass_for_an_admin_token(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    claims = jwt.decode(admin_session.access_token, options={"verify_signature": False})
    client_token = tokens.encode("client", claims)  # same claims, the client API's key

    assert_error(client.get(PROFILE, headers=bearer(client_token)), 401, "InvalidSession")


# --- profile -------------------------------------------------------------------------


def test_the_profile_names_the_admin_and_a_role_per_granted_group(
    admin_session: InProcessAdmin,
) -> None:
    body = assert_json(admin_session.get("/auth/profile"), 200)

    assert OBJECT_ID.match(body["user_id"])
    assert len(body["roles"]) == 1
    role = body["roles"][0]
    # The original's two fields, and our group_name (people know groups by name).
    assert set(role) == {"role_name", "group_id", "group_name"}
    assert isinstance(role["role_name"], str) and role["role_name"]
    assert OBJECT_ID.match(role["group_id"])
    assert role["group_name"] == "default"


def test_the_profile_user_id_is_the_one_login_returned(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    login = assert_json(_log_in_again(client, admin_session), 200)

    profile = assert_json(client.get(PROFILE, headers=bearer(login["access_token"])), 200)
    assert profile["user_id"] == login["user_id"]


def test_an_admin_granted_two_groups_has_a_role_for_each_and_can_use_both(
    app: Flask, client: FlaskClient
) -> None:
    admin = new_admin(app, client, "alpha", "beta")

    roles = assert_json(admin.get("/auth/profile"), 200)["roles"]

    group_ids = {role["group_id"] for role in roles}
    assert len(group_ids) == 2
    for group_id in group_ids:
        assert admin.get(f"/groups/{group_id}/apps").status_code == 200


def test_admins_of_different_groups_see_different_group_ids(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    other = new_admin(app, client, "other-group")

    assert other.group_id != admin_session.group_id
    assert assert_json(other.get("/auth/profile"), 200)["user_id"] != assert_json(
        admin_session.get("/auth/profile"), 200
    )["user_id"]
