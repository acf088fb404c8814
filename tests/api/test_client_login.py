"""Client API: logins through api-key, anon-user and local-userpass, and registering.

Contract §1 (login and register rows, device ids, linking) and the login rows of §3.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import clock
from app.domain import api_keys, keys, logins
from app.domain.sessions import NO_DEVICE
from app.models import Device, Session
from tests.support.app import InProcessAdmin
from tests.support.client_actions import PASSWORD, ClientApp, Tokens
from tests.support.wire import (
    OBJECT_ID,
    assert_error,
    assert_json,
    assert_no_content,
    refusal,
)

UNKNOWN_DEVICE = "5f0000000000000000000001"


def _identities(realm: ClientApp, tokens: Tokens) -> list[dict[str, str]]:
    identities: list[dict[str, str]] = assert_json(realm.profile(tokens), 200)["identities"]
    return identities


# --- api-key -------------------------------------------------------------------------


def test_a_server_key_logs_in_as_its_own_server_user(realm: ClientApp) -> None:
    key = realm.create_server_key("reporting")

    tokens = realm.login_with_key(key["key"])

    profile = assert_json(realm.profile(tokens), 200)
    assert profile["user_id"] == tokens.user_id
    assert profile["type"] == "server"
    assert profile["identities"] == [{
        "id": key["_id"],
        "provider_type": "api-key",
        "provider_id": realm.admin.provider(realm.app_id, "api-key")["_id"],
    }]
    assert profile["data"]["name"] == "reporting"
    assert assert_json(realm.admin_user(tokens.user_id), 200)["type"] == "server"


def test_two_logins_with_one_server_key_are_the_same_user(realm: ClientApp) -> None:
    key = realm.create_server_key()

    assert realm.login_with_key(key["key"]).user_id == realm.login_with_key(key["key"]).user_id


def test_a_user_key_logs_in_as_its_owner_who_gains_an_api_key_identity(
    realm: ClientApp,
) -> None:
    owner = realm.register_and_login("ann@example.com")
    key = realm.new_user_key(owner, "laptop")
    assert [i["provider_type"] for i in _identities(realm, owner)] == ["local-userpass"]

    tokens = realm.login_with_key(key["key"])

    assert tokens.user_id == owner.user_id
    profile = assert_json(realm.profile(tokens), 200)
    assert profile["type"] == "normal"
    assert {i["provider_type"] for i in profile["identities"]} == {"local-userpass", "api-key"}
    api_key_identity = next(i for i in profile["identities"] if i["provider_type"] == "api-key")
    assert api_key_identity["id"] == key["_id"]
    assert {i["provider_type"] for i in _identities(realm, owner)} == {"local-userpass",
                                                                       "api-key"}


# --- anon-user -----------------------------------------------------------------------


def test_an_anonymous_login_creates_a_new_user_each_time(realm: ClientApp) -> None:
    first = realm.login_anonymously()
    second = realm.login_anonymously()

    assert first.user_id != second.user_id
    profile = assert_json(realm.profile(first), 200)
    assert profile["type"] == "normal"
    assert [i["provider_type"] for i in profile["identities"]] == ["anon-user"]


# --- local-userpass ------------------------------------------------------------------


def test_register_answers_201_without_a_body(realm: ClientApp) -> None:
    response = realm.register("ann@example.com")

    assert response.status_code == 201
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers


def test_the_first_password_login_creates_the_user_and_later_ones_find_it(
    realm: ClientApp,
) -> None:
    realm.register("ann@example.com")
    assert assert_json(realm.admin.get(f"{realm.admin_path}/users"), 200) == []

    first = realm.login_with_password("ann@example.com")
    second = realm.login_with_password("ann@example.com")

    assert second.user_id == first.user_id
    user = assert_json(realm.admin_user(first.user_id), 200)
    assert user["data"]["email"] == "ann@example.com"
    assert [i["provider_type"] for i in user["identities"]] == ["local-userpass"]
    assert len(assert_json(realm.admin.get(f"{realm.admin_path}/users"), 200)) == 1


def test_a_user_created_through_the_admin_api_logs_in_with_its_password(
    realm: ClientApp,
) -> None:
    created = assert_json(realm.admin.post(f"{realm.admin_path}/users", json={
        "email": "bob@example.com", "password": PASSWORD,
    }), 201)

    assert realm.login_with_password("bob@example.com").user_id == created["_id"]


def test_registering_without_auto_confirm_makes_a_pending_user(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    realm = ClientApp.create(client, admin_session, providers=())
    realm.add_provider("local-userpass", config={"autoConfirm": False})

    response = realm.register("ann@example.com")

    assert response.status_code == 201  # pending until the admin confirms (test_pending_users)
    assert_error(realm.login("local-userpass", {"username": "ann@example.com",
                                                "password": PASSWORD}),
                 401, "AuthError", says="confirmation required")


def test_registering_an_email_twice_is_a_409(realm: ClientApp) -> None:
    realm.register("ann@example.com")

    response = realm.register("Ann@Example.com", "another-password")

    assert_error(response, 409, "AccountNameInUse")


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(realm: ClientApp) -> None:
    realm.register_and_login("ann@example.com")

    wrong_password = realm.login("local-userpass", {"username": "ann@example.com",
                                                    "password": "not-" + PASSWORD})
    unknown_email = realm.login("local-userpass", {"username": "nobody@example.com",
                                                   "password": PASSWORD})

    assert_error(wrong_password, 401, "InvalidPassword")
    assert_error(unknown_email, 401, "InvalidPassword")
    assert refusal(wrong_password) == refusal(unknown_email)


@pytest.mark.parametrize("username", ["ann\x00@example.com", "ann@example.com\x00",
                                      "not an address", ""])
def test_a_username_no_one_can_register_is_refused_like_an_unknown_email(
    realm: ClientApp, username: str
) -> None:
    realm.register_and_login("ann@example.com")

    response = realm.login("local-userpass", {"username": username, "password": PASSWORD})

    assert assert_error(response, 401, "InvalidPassword") == "unauthorized"


def test_a_password_login_without_a_password_is_a_missing_parameter(realm: ClientApp) -> None:
    response = realm.login("local-userpass", {"username": "ann@example.com"})

    assert_error(response, 400, "MissingParameter", says="password")


# --- providers that are disabled, absent or unknown ----------------------------------


def _credentials_for(realm: ClientApp, provider: str) -> dict[str, Any]:
    """Credentials that would log in through `provider` while it is enabled."""
    if provider == "api-key":
        return {"key": realm.create_server_key()["key"]}
    if provider == "local-userpass":
        realm.register("ann@example.com")
        return {"username": "ann@example.com", "password": PASSWORD}
    return {}


@pytest.mark.parametrize("provider", ["api-key", "anon-user", "local-userpass"])
@pytest.mark.parametrize("state", ["disabled", "absent"])
def test_a_provider_that_is_disabled_or_absent_refuses_logins(
    realm: ClientApp, provider: str, state: str
) -> None:
    credentials = _credentials_for(realm, provider)
    assert realm.login(provider, credentials).status_code == 200
    if state == "disabled":
        realm.set_provider_disabled(provider, True)
    else:
        realm.delete_provider(provider)

    response = realm.login(provider, credentials)

    message = assert_error(response, 401, "AuthProviderNotFound")
    assert message == f"authentication via '{provider}' is unsupported"


def test_a_re_enabled_provider_accepts_logins_again(realm: ClientApp) -> None:
    realm.set_provider_disabled("anon-user", True)
    realm.set_provider_disabled("anon-user", False)

    assert realm.login("anon-user", {}).status_code == 200


def test_a_new_app_refuses_api_key_logins_until_the_provider_is_enabled(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    realm = ClientApp.create(client, admin_session, providers=())

    response = realm.login("api-key", {"key": keys.generate(keys.API_KEY_PREFIX)})

    message = assert_error(response, 401, "AuthProviderNotFound")
    assert message == "authentication via 'api-key' is unsupported"


@pytest.mark.parametrize("provider", ["oauth2-google", "custom-token", "no-such-provider"])
def test_a_provider_this_server_does_not_know_is_unsupported(
    realm: ClientApp, provider: str
) -> None:
    response = realm.login(provider, {"key": "x", "username": "a@b.c", "password": "x"})

    message = assert_error(response, 401, "AuthProviderNotFound")
    assert message == f"authentication via '{provider}' is unsupported"


@pytest.mark.parametrize("client_app_id", ["nosuchapp-abcde", "nul%00app"])
def test_a_login_to_an_unknown_app_is_app_not_found(realm: ClientApp, client_app_id: str) -> None:
    realm.client_app_id = client_app_id

    assert_error(realm.login("anon-user", {}), 404, "AppNotFound")


# --- keys that do not log in ---------------------------------------------------------


def _unknown_key(realm: ClientApp) -> str:
    return keys.generate(keys.API_KEY_PREFIX)


def _disabled_key(realm: ClientApp) -> str:
    key = realm.create_server_key()
    assert_no_content(realm.admin.put(f"{realm.admin_path}/api_keys/{key['_id']}/disable"))
    value: str = key["key"]
    return value


def _deleted_key(realm: ClientApp) -> str:
    key = realm.create_server_key()
    assert_no_content(realm.admin.delete(f"{realm.admin_path}/api_keys/{key['_id']}"))
    value: str = key["key"]
    return value


def _truncated_key(realm: ClientApp) -> str:
    value: str = realm.create_server_key()["key"]
    return value[:-1]


def _another_apps_key(realm: ClientApp) -> str:
    other = ClientApp.create(realm.client, realm.admin, name="otherapp", providers=("api-key",))
    value: str = other.create_server_key()["key"]
    return value


SPOILED_KEYS: dict[str, Callable[[ClientApp], str]] = {
    "unknown": _unknown_key,
    "disabled": _disabled_key,
    "deleted": _deleted_key,
    "truncated": _truncated_key,
    "malformed": lambda realm: "not-a-key",
    "empty": lambda realm: "",
    "another app's": _another_apps_key,
}


@pytest.mark.parametrize("spoiled", list(SPOILED_KEYS))
def test_a_key_that_cannot_log_in_is_refused_without_saying_why(
    realm: ClientApp, spoiled: str
) -> None:
    key = SPOILED_KEYS[spoiled](realm)

    response = realm.login("api-key", {"key": key})

    assert assert_error(response, 401, "AuthError") == "unauthorized"


class _DeletedRightAfterReading:
    """Stands in for the login's key read: reads, then deletes the key it read once,
    as another server would between the read and the login's write transaction."""

    def __init__(self, real: Any) -> None:
        self.real, self.reads = real, 0

    def first(self, **values: Any) -> Any:
        self.reads += 1
        row = self.real.first(**values)
        if self.reads == 1 and row is not None:
            api_keys.delete_server_key(row[0])
        return row


def test_a_key_deleted_while_its_login_is_under_way_is_refused_and_nothing_is_kept(
    realm: ClientApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = realm.create_server_key()
    sessions_before = Session.select().count()
    racing_read = _DeletedRightAfterReading(logins._KEY_WITH_USER_AND_IDENTITY)
    monkeypatch.setattr(logins, "_KEY_WITH_USER_AND_IDENTITY", racing_read)

    response = realm.login("api-key", {"key": key["key"]})

    assert assert_error(response, 401, "AuthError") == "unauthorized"
    assert response.status_code == 401
    # The login's write to the user's row finds it gone (the key went with it): refused
    # there, with no second read.
    assert racing_read.reads == 1
    assert Session.select().count() == sessions_before


def test_a_key_that_is_enabled_again_logs_in_again(realm: ClientApp) -> None:
    key = realm.create_server_key()
    key_path = f"{realm.admin_path}/api_keys/{key['_id']}"
    realm.admin.put(f"{key_path}/disable")

    assert_no_content(realm.admin.put(f"{key_path}/enable"))

    assert realm.login("api-key", {"key": key["key"]}).status_code == 200


# --- disabled users ------------------------------------------------------------------


def _password_user(realm: ClientApp) -> tuple[str, dict[str, Any]]:
    tokens = realm.register_and_login("ann@example.com")
    return tokens.user_id, {"username": "ann@example.com", "password": PASSWORD}


def _server_user(realm: ClientApp) -> tuple[str, dict[str, Any]]:
    key = realm.create_server_key()
    return realm.login_with_key(key["key"]).user_id, {"key": key["key"]}


def _user_key_owner(realm: ClientApp) -> tuple[str, dict[str, Any]]:
    owner = realm.register_and_login("ann@example.com")
    return owner.user_id, {"key": realm.new_user_key(owner)["key"]}


@pytest.mark.parametrize(("provider", "make_user"), [
    ("local-userpass", _password_user),
    ("api-key", _server_user),
    ("api-key", _user_key_owner),
], ids=["password user", "server user", "owner of a user key"])
def test_a_disabled_user_cannot_log_in(
    realm: ClientApp, provider: str,
    make_user: Callable[[ClientApp], tuple[str, dict[str, Any]]],
) -> None:
    user_id, credentials = make_user(realm)
    assert_no_content(realm.admin.put(f"{realm.admin_path}/users/{user_id}/disable"))

    response = realm.login(provider, credentials)

    assert_error(response, 401, "UserDisabled")


# --- the login response --------------------------------------------------------------


@pytest.mark.parametrize("provider", ["api-key", "anon-user", "local-userpass"])
def test_a_login_answers_exactly_four_strings_with_jwt_tokens(
    realm: ClientApp, provider: str
) -> None:
    response = realm.login(provider, _credentials_for(realm, provider))

    body = assert_json(response, 200)
    assert set(body) == {"access_token", "refresh_token", "user_id", "device_id"}
    assert all(isinstance(value, str) for value in body.values())
    assert len(body["access_token"].split(".")) == 3
    assert len(body["refresh_token"].split(".")) == 3
    assert body["access_token"] != body["refresh_token"]
    assert OBJECT_ID.match(body["user_id"])
    assert OBJECT_ID.match(body["device_id"])


def test_a_login_sent_as_realm_core_sends_it_is_accepted(realm: ClientApp) -> None:
    # realm-core labels its JSON with a charset and names the provider in the body too.
    response = realm.client.post(
        realm.app_url("/auth/providers/anon-user/login"),
        data=b'{"provider":"anon-user","options":{"device":{"platform":"Linux"}}}',
        headers={"Content-Type": "application/json;charset=utf-8"},
    )

    assert_json(response, 200)


def test_the_last_authentication_date_is_the_time_of_the_latest_login(
    realm: ClientApp,
) -> None:
    key = realm.create_server_key()
    first = realm.login_with_key(key["key"])
    first_date = assert_json(realm.admin_user(first.user_id), 200)["last_authentication_date"]
    assert abs(first_date - clock.timestamp()) <= 5

    clock.advance(timedelta(hours=3))
    realm.login_with_key(key["key"])
    realm.admin.log_in()  # the admin's own access token expired meanwhile

    later_date = assert_json(realm.admin_user(first.user_id), 200)["last_authentication_date"]
    assert later_date - first_date >= 3 * 3600
    assert abs(later_date - clock.timestamp()) <= 5


# --- devices -------------------------------------------------------------------------


def test_a_device_id_sent_back_as_ejson_is_reused(realm: ClientApp) -> None:
    first = Tokens.from_response(realm.login("anon-user", {}, device={"platform": "web"}))

    again = realm.login("anon-user", {}, device={
        "deviceId": {"$oid": first.device_id}, "platform": "web", "sdkVersion": "2.0.1",
    })

    assert Tokens.from_response(again).device_id == first.device_id


def test_a_device_id_sent_back_as_a_string_is_reused(realm: ClientApp) -> None:
    first = Tokens.from_response(realm.login("anon-user", {}, device={"platform": "web"}))

    again = realm.login("anon-user", {}, device={"deviceId": first.device_id})

    assert Tokens.from_response(again).device_id == first.device_id


@pytest.mark.parametrize("sent", [
    {"$oid": UNKNOWN_DEVICE},
    UNKNOWN_DEVICE,
    "000000000000000000000000",
    "not-an-id",
    {"$oid": 12},
])
def test_a_device_id_this_server_never_issued_is_replaced_by_a_new_one(
    realm: ClientApp, sent: Any
) -> None:
    response = realm.login("anon-user", {}, device={"deviceId": sent, "platform": "web"})

    device_id = Tokens.from_response(response).device_id
    assert OBJECT_ID.match(device_id)
    assert device_id not in {UNKNOWN_DEVICE, "000000000000000000000000"}


def test_a_device_id_of_another_app_is_not_reused(realm: ClientApp) -> None:
    other = ClientApp.create(realm.client, realm.admin, name="otherapp",
                             providers=("anon-user",))
    theirs = Tokens.from_response(
        other.login("anon-user", {}, device={"platform": "web"})).device_id

    response = realm.login("anon-user", {}, device={"deviceId": {"$oid": theirs}})

    assert Tokens.from_response(response).device_id != theirs


def test_logins_without_device_information_get_the_zero_device_id_and_leave_no_device(
    realm: ClientApp,
) -> None:
    devices_before = Device.select().count()

    bare = Tokens.from_response(  # no "options" at all
        realm.client.post(realm.app_url("/auth/providers/anon-user/login"), json={}))
    empty = realm.login_anonymously()  # "options": {"device": {}}
    zero_sent_back = Tokens.from_response(
        realm.login("anon-user", {}, device={"deviceId": {"$oid": NO_DEVICE}}))

    assert bare.device_id == empty.device_id == zero_sent_back.device_id == NO_DEVICE
    assert Device.select().count() == devices_before


@pytest.mark.parametrize("sent", [["5f0000000000000000000001"], {"$oid": {"$oid": "x"}}, 7])
def test_a_device_id_of_another_json_type_alone_gets_a_new_device(
    realm: ClientApp, sent: Any
) -> None:
    response = realm.login("anon-user", {}, device={"deviceId": sent})

    device_id = Tokens.from_response(response).device_id
    assert OBJECT_ID.match(device_id) and device_id != NO_DEVICE


def test_a_login_describing_its_device_gets_a_new_device_id_each_time(
    realm: ClientApp,
) -> None:
    first = Tokens.from_response(realm.login("anon-user", {}, device={"platform": "web"}))
    second = Tokens.from_response(realm.login("anon-user", {}, device={"platform": "web"}))

    assert OBJECT_ID.match(first.device_id) and first.device_id != NO_DEVICE
    assert first.device_id != second.device_id


# --- linking -------------------------------------------------------------------------


def test_an_anonymous_user_links_an_email_password_identity_and_stays_the_same_user(
    realm: ClientApp,
) -> None:
    anonymous = realm.login_anonymously()

    linked = realm.link_password(anonymous, "ann@example.com")

    assert linked.user_id == anonymous.user_id
    assert [i["provider_type"] for i in _identities(realm, linked)] == ["anon-user",
                                                                      "local-userpass"]
    # From now on the email and password log in as that same user.
    assert realm.login_with_password("ann@example.com").user_id == anonymous.user_id


def test_linking_needs_the_users_access_token(realm: ClientApp) -> None:
    anonymous = realm.login_anonymously()
    realm.register("ann@example.com")
    credentials = {"username": "ann@example.com", "password": PASSWORD}

    without_token = realm.client.post(
        realm.app_url("/auth/providers/local-userpass/login?link=true"),
        json={**credentials, "options": {"device": {}}},
    )
    with_refresh_token = realm.login("local-userpass", credentials,
                                     link_with=anonymous.refresh_token)

    assert_error(without_token, 401, "InvalidSession")
    assert_error(with_refresh_token, 401, "InvalidSession")


def test_an_identity_that_already_belongs_to_another_user_cannot_be_linked(
    realm: ClientApp,
) -> None:
    realm.register_and_login("ann@example.com")
    anonymous = realm.login_anonymously()

    response = realm.login("local-userpass", {"username": "ann@example.com",
                                              "password": PASSWORD},
                           link_with=anonymous.access_token)

    assert_error(response, 403, "Forbidden")
    assert [i["provider_type"] for i in _identities(realm, anonymous)] == ["anon-user"]


def test_a_user_of_another_app_cannot_link_an_identity_of_this_one(realm: ClientApp) -> None:
    other = ClientApp.create(realm.client, realm.admin, name="otherapp",
                             providers=("anon-user",))
    stranger = other.login_anonymously()
    realm.register("ann@example.com")

    response = realm.login("local-userpass", {"username": "ann@example.com",
                                              "password": PASSWORD},
                           link_with=stranger.access_token)

    assert_error(response, 401, "InvalidSession")
    assert [i["provider_type"] for i in _identities(other, stranger)] == ["anon-user"]


# --- requests that cannot be read ----------------------------------------------------


def test_a_login_body_that_is_not_json_is_an_invalid_parameter(realm: ClientApp) -> None:
    response = realm.client.post(realm.app_url("/auth/providers/anon-user/login"),
                                 data=b'{"options": ', content_type="application/json")

    assert_error(response, 400, "InvalidParameter", says="JSON")


def test_a_key_that_is_not_a_string_is_an_invalid_parameter(realm: ClientApp) -> None:
    response = realm.login("api-key", {"key": 12})

    assert_error(response, 400, "InvalidParameter", says="key")


def test_a_register_request_with_an_undeclared_field_ignores_it(realm: ClientApp) -> None:
    # The rule for undeclared fields (docs, "Request bodies"): no effect at all.
    response = realm.client.post(realm.app_url("/auth/providers/local-userpass/register"),
                                 json={"email": "ann@example.com", "password": PASSWORD,
                                       "admin": True})

    assert response.status_code == 201, response.get_data(as_text=True)
    tokens = realm.login_with_password("ann@example.com")
    profile = assert_json(realm.get("/auth/profile", tokens.access_token), 200)
    assert profile["type"] == "normal" and "admin" not in json.dumps(profile)


def test_a_login_body_that_is_too_large_is_refused(realm: ClientApp) -> None:
    response = realm.login("anon-user", {"padding": "x" * 100_000})

    assert_error(response, 413, "InvalidParameter")
