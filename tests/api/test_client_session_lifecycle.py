"""Where a session's life meets the SDKs' habits: logging out an old session, linking
an identity from within a session, and what a key's session may not do."""

from __future__ import annotations

from datetime import timedelta

import jwt

from tests.support.client_actions import PASSWORD, ClientApp, clock_moved
from tests.support.wire import assert_error


def _session_id(refresh_token: str) -> str:
    claims = jwt.decode(refresh_token, options={"verify_signature": False})
    session_id: str = claims["baas_id"]
    return session_id


def test_logging_out_with_an_expired_refresh_token_still_ends_the_session(
    realm: ClientApp,
) -> None:
    tokens = realm.register_and_login("old@example.com")

    with clock_moved(timedelta(days=61)):
        assert_error(realm.post("/auth/session", tokens.refresh_token), 401, "InvalidSession",
                     says="refresh token expired")
        assert realm.delete("/auth/session", tokens.refresh_token).status_code == 204
        # realm-web's logOut() treats exactly this message as "already logged out".
        assert_error(realm.delete("/auth/session", tokens.refresh_token), 401,
                     "InvalidSession", says="failed to find refresh token")


def test_linking_continues_the_callers_session_instead_of_opening_another(
    realm: ClientApp,
) -> None:
    anonymous = realm.login_anonymously()

    linked = realm.link_password(anonymous, "linker@example.com")

    assert _session_id(linked.refresh_token) == _session_id(anonymous.refresh_token)
    assert realm.profile(linked).status_code == 200


def test_an_anonymous_session_stops_being_endless_once_a_real_identity_is_linked(
    realm: ClientApp,
) -> None:
    anonymous = realm.login_anonymously()
    realm.register("grown@example.com")
    realm.login("local-userpass", {"username": "grown@example.com", "password": PASSWORD},
                link_with=anonymous.access_token)

    with clock_moved(timedelta(days=59)):
        assert realm.post("/auth/session", anonymous.refresh_token).status_code == 201
    with clock_moved(timedelta(days=61)):
        assert_error(realm.post("/auth/session", anonymous.refresh_token), 401,
                     "InvalidSession", says="refresh token expired")


def test_an_unlinked_anonymous_session_never_expires(realm: ClientApp) -> None:
    anonymous = realm.login_anonymously()

    with clock_moved(timedelta(days=3650)):
        assert realm.post("/auth/session", anonymous.refresh_token).status_code == 201


def test_a_server_key_session_cannot_delete_its_server_user(realm: ClientApp) -> None:
    server_key = realm.create_server_key("nightly-job")
    session = realm.login_with_key(server_key["key"])

    assert_error(realm.delete("/auth/delete", session.access_token), 403, "Forbidden",
                 says="API key")
    keys = realm.admin.get(f"{realm.admin_path}/api_keys")
    assert [key["name"] for key in keys.json] == ["nightly-job"]


def test_a_user_key_session_cannot_delete_the_keys_owner(realm: ClientApp) -> None:
    owner = realm.register_and_login("owner@example.com")
    user_key = realm.new_user_key(owner)
    key_session = realm.login_with_key(user_key["key"])

    assert_error(realm.delete("/auth/delete", key_session.access_token), 403, "Forbidden")
    assert realm.profile(owner).status_code == 200
