"""Client API: a user's own API keys, all managed with the REFRESH token.

Contract §1 (the `/auth/api_keys` rows and their rules) and the key rows of §3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.support.client_actions import PASSWORD, ClientApp, Tokens
from tests.support.http import CLIENT_BASE, bearer
from tests.support.wire import (
    OBJECT_ID,
    assert_error,
    assert_json,
    assert_link,
    assert_no_content,
    refusal,
)

KEYS = "/auth/api_keys"
MISSING_KEY_ID = "5f0000000000000000000001"


def _list(realm: ClientApp, tokens: Tokens) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = assert_json(realm.get(KEYS, tokens.refresh_token), 200)
    return body


def _still_works(realm: ClientApp, tokens: Tokens) -> bool:
    return (realm.profile(tokens).status_code == 200
            and realm.post("/auth/session", tokens.refresh_token).status_code == 201)


def _assert_session_ended(realm: ClientApp, tokens: Tokens) -> None:
    assert_error(realm.profile(tokens), 401, "InvalidSession")
    assert_error(realm.post("/auth/session", tokens.refresh_token), 401, "InvalidSession")


# --- create, list, get, delete -------------------------------------------------------


def test_creating_a_key_returns_its_value_once(realm: ClientApp, ann: Tokens) -> None:
    body = assert_json(realm.create_user_key(ann, "laptop"), 201)

    assert set(body) == {"_id", "key", "name", "disabled"}
    assert OBJECT_ID.match(body["_id"])
    assert body["name"] == "laptop"
    assert body["disabled"] is False
    assert isinstance(body["key"], str) and len(body["key"]) >= 32
    assert realm.login_with_key(body["key"]).user_id == ann.user_id


def test_a_user_without_keys_lists_none(realm: ClientApp, ann: Tokens) -> None:
    assert _list(realm, ann) == []


def test_the_list_shows_the_users_keys_oldest_first_without_their_values(
    realm: ClientApp, ann: Tokens
) -> None:
    first = realm.new_user_key(ann, "laptop")
    second = realm.new_user_key(ann, "phone")

    response = realm.get(KEYS, ann.refresh_token)

    assert assert_json(response, 200) == [
        {"_id": first["_id"], "name": "laptop", "disabled": False},
        {"_id": second["_id"], "name": "phone", "disabled": False},
    ]
    assert first["key"] not in response.get_data(as_text=True)


def test_the_list_shows_only_the_callers_own_keys_and_never_server_keys(
    realm: ClientApp, ann: Tokens
) -> None:
    bob = realm.register_and_login("bob@example.com")
    realm.new_user_key(bob, "bobs-key")
    realm.create_server_key("server-key")
    mine = realm.new_user_key(ann, "anns-key")

    assert [key["_id"] for key in _list(realm, ann)] == [mine["_id"]]
    assert [key["name"] for key in _list(realm, bob)] == ["bobs-key"]


def test_getting_a_key_shows_it_without_its_value(realm: ClientApp, ann: Tokens) -> None:
    created = realm.new_user_key(ann, "laptop")

    response = realm.get(f"{KEYS}/{created['_id']}", ann.refresh_token)

    assert assert_json(response, 200) == {"_id": created["_id"], "name": "laptop",
                                          "disabled": False}
    assert created["key"] not in response.get_data(as_text=True)


def test_a_deleted_key_is_gone(realm: ClientApp, ann: Tokens) -> None:
    created = realm.new_user_key(ann)

    response = realm.delete(f"{KEYS}/{created['_id']}", ann.refresh_token)

    assert_no_content(response)
    assert "Content-Type" not in response.headers
    assert_error(realm.get(f"{KEYS}/{created['_id']}", ann.refresh_token), 404,
                 "APIKeyNotFound")
    assert _list(realm, ann) == []
    assert_error(realm.login("api-key", {"key": created["key"]}), 401, "AuthError")


# --- enable and disable --------------------------------------------------------------


def test_disabling_and_enabling_are_idempotent_and_show_in_the_key(
    realm: ClientApp, ann: Tokens
) -> None:
    key_path = f"{KEYS}/{realm.new_user_key(ann)['_id']}"

    for _ in range(2):
        response = realm.put(f"{key_path}/disable", ann.refresh_token)
        assert_no_content(response)
        assert "Content-Type" not in response.headers
        assert assert_json(realm.get(key_path, ann.refresh_token), 200)["disabled"] is True
    for _ in range(2):
        assert_no_content(realm.put(f"{key_path}/enable", ann.refresh_token))
        assert assert_json(realm.get(key_path, ann.refresh_token), 200)["disabled"] is False


def test_a_disabled_key_cannot_log_in_and_its_sessions_end(
    realm: ClientApp, ann: Tokens
) -> None:
    key = realm.new_user_key(ann)
    by_key = realm.login_with_key(key["key"])

    realm.put(f"{KEYS}/{key['_id']}/disable", ann.refresh_token)

    _assert_session_ended(realm, by_key)
    assert_error(realm.login("api-key", {"key": key["key"]}), 401, "AuthError")
    assert _still_works(realm, ann)  # the owner's password session is not the key's


def test_an_enabled_again_key_logs_in_but_its_ended_sessions_stay_ended(
    realm: ClientApp, ann: Tokens
) -> None:
    key = realm.new_user_key(ann)
    before = realm.login_with_key(key["key"])
    realm.put(f"{KEYS}/{key['_id']}/disable", ann.refresh_token)

    realm.put(f"{KEYS}/{key['_id']}/enable", ann.refresh_token)

    assert _still_works(realm, realm.login_with_key(key["key"]))
    _assert_session_ended(realm, before)


def test_deleting_a_key_ends_the_sessions_it_opened(realm: ClientApp, ann: Tokens) -> None:
    key = realm.new_user_key(ann)
    by_key = realm.login_with_key(key["key"])

    realm.delete(f"{KEYS}/{key['_id']}", ann.refresh_token)

    _assert_session_ended(realm, by_key)
    assert _still_works(realm, ann)
    identity_types = [i["provider_type"] for i in
                      assert_json(realm.profile(ann), 200)["identities"]]
    assert identity_types == ["local-userpass"]


def test_disabling_one_key_leaves_the_users_other_keys_working(
    realm: ClientApp, ann: Tokens
) -> None:
    laptop = realm.new_user_key(ann, "laptop")
    phone = realm.new_user_key(ann, "phone")
    by_phone = realm.login_with_key(phone["key"])

    realm.put(f"{KEYS}/{laptop['_id']}/disable", ann.refresh_token)

    assert _still_works(realm, by_phone)


# --- the Admin API ends key sessions too ---------------------------------------------


def _disable_server_key(realm: ClientApp, key: dict[str, Any], user_id: str) -> None:
    assert_no_content(realm.admin.put(f"{realm.admin_path}/api_keys/{key['_id']}/disable"))


def _delete_server_key(realm: ClientApp, key: dict[str, Any], user_id: str) -> None:
    assert_no_content(realm.admin.delete(f"{realm.admin_path}/api_keys/{key['_id']}"))


def _delete_user(realm: ClientApp, key: dict[str, Any], user_id: str) -> None:
    assert_no_content(realm.admin.delete(f"{realm.admin_path}/users/{user_id}"))


def _disable_user(realm: ClientApp, key: dict[str, Any], user_id: str) -> None:
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/disable"))


def _log_user_out(realm: ClientApp, key: dict[str, Any], user_id: str) -> None:
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/logout"))


ADMIN_ACTIONS: dict[str, Callable[[ClientApp, dict[str, Any], str], None]] = {
    "disable the server key": _disable_server_key,
    "delete the server key": _delete_server_key,
    "delete its server user": _delete_user,
    "disable its server user": _disable_user,
    "log its server user out": _log_user_out,
}


@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
def test_the_admin_ends_a_server_key_session(realm: ClientApp, action: str) -> None:
    key = realm.create_server_key()
    session = realm.login_with_key(key["key"])

    ADMIN_ACTIONS[action](realm, key, session.user_id)

    _assert_session_ended(realm, session)


@pytest.mark.parametrize("action", [_delete_user, _disable_user],
                         ids=["delete its owner", "disable its owner"])
def test_the_admin_ends_a_user_key_session_through_its_owner(
    realm: ClientApp, ann: Tokens, action: Callable[[ClientApp, dict[str, Any], str], None]
) -> None:
    key = realm.new_user_key(ann)
    by_key = realm.login_with_key(key["key"])

    action(realm, key, ann.user_id)

    _assert_session_ended(realm, by_key)
    _assert_session_ended(realm, ann)


# --- who may manage keys -------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", KEYS + "/{id}"),
    ("DELETE", KEYS + "/{id}"),
    ("PUT", KEYS + "/{id}/enable"),
    ("PUT", KEYS + "/{id}/disable"),
])
def test_the_access_token_does_not_manage_keys(
    realm: ClientApp, ann: Tokens, method: str, path: str
) -> None:
    key = realm.new_user_key(ann)

    response = realm.client.open(CLIENT_BASE + path.format(id=key["_id"]), method=method,
                                 headers=bearer(ann.access_token))

    assert_error(response, 401, "InvalidSession", says="refresh token")
    assert _list(realm, ann) == [{"_id": key["_id"], "name": "my-key", "disabled": False}]


def test_an_anonymous_user_cannot_have_keys(realm: ClientApp) -> None:
    anonymous = realm.login_anonymously()

    assert_error(realm.create_user_key(anonymous), 403, "Forbidden")
    assert_error(realm.get(KEYS, anonymous.refresh_token), 403, "Forbidden")


def test_an_anonymous_user_who_linked_a_password_may_have_keys(realm: ClientApp) -> None:
    anonymous = realm.login_anonymously()
    realm.register("ann@example.com")
    linked = Tokens.from_response(realm.login(
        "local-userpass", {"username": "ann@example.com", "password": PASSWORD},
        link_with=anonymous.access_token,
    ))

    assert realm.create_user_key(linked).status_code == 201


def _server_key_session(realm: ClientApp, ann: Tokens) -> Tokens:
    return realm.login_with_key(realm.create_server_key()["key"])


def _user_key_session(realm: ClientApp, ann: Tokens) -> Tokens:
    return realm.login_with_key(realm.new_user_key(ann, "owners-key")["key"])


@pytest.mark.parametrize("key_session", [_server_key_session, _user_key_session],
                         ids=["server key", "user key"])
def test_a_session_opened_with_an_api_key_cannot_manage_keys(
    realm: ClientApp, ann: Tokens, key_session: Callable[[ClientApp, Tokens], Tokens]
) -> None:
    session = key_session(realm, ann)

    assert_error(realm.create_user_key(session, "another"), 403, "Forbidden")
    assert_error(realm.get(KEYS, session.refresh_token), 403, "Forbidden")
    assert "another" not in [key["name"] for key in _list(realm, ann)]


def test_while_the_api_key_provider_is_disabled_no_user_key_is_created(
    realm: ClientApp, ann: Tokens
) -> None:
    realm.set_provider_disabled("api-key", True)

    response = realm.create_user_key(ann)

    assert_error(response, 400, "AuthProviderNotFound", says="disabled")
    assert _list(realm, ann) == []


# --- limits and names ----------------------------------------------------------------


def test_a_user_has_at_most_20_keys(realm: ClientApp, ann: Tokens) -> None:
    for number in range(20):
        realm.new_user_key(ann, f"key-{number}")

    response = realm.create_user_key(ann, "key-20")

    assert_error(response, 400, "LimitExceeded", says="20")
    assert len(_list(realm, ann)) == 20


def test_the_limit_is_per_user(realm: ClientApp, ann: Tokens) -> None:
    for number in range(20):
        realm.new_user_key(ann, f"key-{number}")
    bob = realm.register_and_login("bob@example.com")

    assert realm.create_user_key(bob, "key-0").status_code == 201


def test_a_deleted_key_frees_its_place_under_the_limit(realm: ClientApp, ann: Tokens) -> None:
    created = [realm.new_user_key(ann, f"key-{number}") for number in range(20)]
    realm.delete(f"{KEYS}/{created[0]['_id']}", ann.refresh_token)

    assert realm.create_user_key(ann, "key-20").status_code == 201


def test_a_user_cannot_have_two_keys_of_one_name(realm: ClientApp, ann: Tokens) -> None:
    realm.new_user_key(ann, "laptop")

    response = realm.create_user_key(ann, "laptop")

    # The original's words, which realm-dart's tests compare.
    assert_error(response, 409, "APIKeyAlreadyExists", says="API key with name already exists")
    assert len(_list(realm, ann)) == 1


def test_two_users_and_a_server_key_may_share_a_key_name(
    realm: ClientApp, ann: Tokens
) -> None:
    realm.create_server_key("laptop")
    bob = realm.register_and_login("bob@example.com")
    realm.new_user_key(ann, "laptop")

    assert realm.create_user_key(bob, "laptop").status_code == 201


@pytest.mark.parametrize(("name", "rule"), [
    ("", "empty"),
    ("x" * 65, "64"),
    ("has space", "letters"),
    ("dot.name", "letters"),
    ("slash/name", "letters"),
    ("ünïcode", "letters"),
])
def test_a_key_name_outside_the_rules_is_refused_with_the_rule(
    realm: ClientApp, ann: Tokens, name: str, rule: str
) -> None:
    response = realm.create_user_key(ann, name)

    assert_error(response, 400, "InvalidParameter", says=rule)
    assert _list(realm, ann) == []


def test_a_key_name_of_64_letters_digits_dashes_and_underscores_is_fine(
    realm: ClientApp, ann: Tokens
) -> None:
    name = ("Ab9_-" * 13)[:64]

    assert assert_json(realm.create_user_key(ann, name), 201)["name"] == name


@pytest.mark.parametrize(("body", "status", "code"), [
    ({}, 400, "MissingParameter"),
    ({"name": 12}, 400, "InvalidParameter"),
])
def test_a_malformed_create_request_is_refused(
    realm: ClientApp, ann: Tokens, body: dict[str, Any], status: int, code: str
) -> None:
    response = realm.post(KEYS, ann.refresh_token, json=body)

    assert_error(response, status, code)


def test_a_field_the_request_does_not_declare_is_ignored(realm: ClientApp, ann: Tokens) -> None:
    # The rule for undeclared fields (docs, "Request bodies"); a chosen key is not one.
    response = realm.post(KEYS, ann.refresh_token,
                          json={"name": "ok", "extra": True, "key": "chosen-by-me"})

    created = assert_json(response, 201)
    assert created["name"] == "ok" and created["key"] != "chosen-by-me"
    assert "extra" not in created


# --- keys that are not yours ---------------------------------------------------------


@pytest.mark.parametrize(("method", "suffix"), [
    ("GET", ""), ("DELETE", ""), ("PUT", "/enable"), ("PUT", "/disable"),
])
def test_another_users_key_is_not_found_exactly_like_a_missing_one(
    realm: ClientApp, ann: Tokens, method: str, suffix: str
) -> None:
    bob = realm.register_and_login("bob@example.com")
    bobs_key = realm.new_user_key(bob, "bobs-key")

    def call(key_id: str) -> TestResponse:
        return realm.client.open(f"{CLIENT_BASE}{KEYS}/{key_id}{suffix}", method=method,
                                 headers=bearer(ann.refresh_token))

    theirs = call(bobs_key["_id"])
    missing = call(MISSING_KEY_ID)

    assert_error(theirs, 404, "APIKeyNotFound")
    assert_error(missing, 404, "APIKeyNotFound")
    assert refusal(theirs) == refusal(missing)
    # Each names its own request; nothing else in the link tells them apart.
    assert assert_link(theirs)[0].rsplit("=", 1)[0] == assert_link(missing)[0].rsplit("=", 1)[0]
    assert _list(realm, bob) == [{"_id": bobs_key["_id"], "name": "bobs-key",
                                  "disabled": False}]
    assert realm.login("api-key", {"key": bobs_key["key"]}).status_code == 200


def test_a_server_key_id_is_not_found_through_the_client_api(
    realm: ClientApp, ann: Tokens
) -> None:
    server_key = realm.create_server_key()

    response = realm.put(f"{KEYS}/{server_key['_id']}/disable", ann.refresh_token)

    assert_error(response, 404, "APIKeyNotFound")
    assert realm.login("api-key", {"key": server_key["key"]}).status_code == 200


@pytest.mark.parametrize("key_id", ["nothex", "5F0000000000000000000001", "1234", "x" * 24])
def test_a_malformed_key_id_is_not_found(realm: ClientApp, ann: Tokens, key_id: str) -> None:
    assert_error(realm.get(f"{KEYS}/{key_id}", ann.refresh_token), 404, "APIKeyNotFound")
    assert_error(realm.delete(f"{KEYS}/{key_id}", ann.refresh_token), 404, "APIKeyNotFound")
