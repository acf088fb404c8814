"""Admin API: an app's users (contract §2: list with paging and filters, create
email/password users, get, delete, enable, disable, logout, verify_token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.domain import api_keys, passwords
from app.models import ApiKey, App, Identity, PasswordCredential, Session, User
from tests.support.app import InProcessAdmin, new_admin
from tests.support.http import CLIENT_BASE
from tests.support.http import TEST_PASSWORD as PASSWORD
from tests.support.store import add_session, in_database
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

USER_FIELDS = {"_id", "identities", "type", "creation_date", "last_authentication_date",
               "disabled", "data", "custom_data"}


@pytest.fixture
def users_app(admin_session: InProcessAdmin) -> dict[str, Any]:
    """An app with the api-key provider enabled and a local-userpass provider."""
    created = admin_session.create_app("usersapp")
    admin_session.enable_api_keys(created["_id"])
    response = admin_session.post(f"{admin_session.app_path(created['_id'])}/auth_providers",
                                  json={"type": "local-userpass"})
    assert response.status_code == 201
    return created


def _users_path(admin: InProcessAdmin, app: dict[str, Any]) -> str:
    return f"{admin.app_path(app['_id'])}/users"


def _list(admin: InProcessAdmin, app: dict[str, Any], query: str = "") -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = assert_json(
        admin.get(f"{_users_path(admin, app)}{query}"), 200
    )
    return body


def _create_user(admin: InProcessAdmin, app: dict[str, Any], email: str,
                 password: str = PASSWORD) -> dict[str, Any]:
    body: dict[str, Any] = assert_json(
        admin.post(_users_path(admin, app), json={"email": email, "password": password}), 201
    )
    return body


def _ids(users: list[dict[str, Any]]) -> list[str]:
    return [user["_id"] for user in users]


# --- list: paging and filters ------------------------------------------------------------


@pytest.fixture
def crowded_app(app: Flask, admin_session: InProcessAdmin,
                users_app: dict[str, Any]) -> dict[str, Any]:
    """`users_app` with 55 server users (one per server key) and 2 email/password users."""
    with in_database(app):
        row = App.get_by_id(users_app["_id"])
        for i in range(55):
            api_keys.create_server_key(row, f"key-{i:02d}")
    for email in ("ann@example.com", "bob@example.com"):
        _create_user(admin_session, users_app, email)
    return users_app


def test_users_are_listed_50_a_page_in_id_order_and_after_gives_the_next_page(
    admin_session: InProcessAdmin, crowded_app: dict[str, Any]
) -> None:
    first = _list(admin_session, crowded_app)
    second = _list(admin_session, crowded_app, f"?after={first[-1]['_id']}")
    third = _list(admin_session, crowded_app, f"?after={second[-1]['_id']}")

    assert len(first) == 50
    assert len(second) == 7
    assert third == []
    everyone = _ids(first) + _ids(second)
    assert everyone == sorted(everyone)
    assert len(set(everyone)) == 57


def test_sorting_by_id_is_the_default_and_the_only_sort(
    admin_session: InProcessAdmin, crowded_app: dict[str, Any]
) -> None:
    assert _list(admin_session, crowded_app, "?sort=_id") == _list(admin_session, crowded_app)
    assert_error(admin_session.get(f"{_users_path(admin_session, crowded_app)}?sort=email"),
                 400, "InvalidParameter", says="sort")


def test_desc_lists_newest_first_and_after_continues_downwards(
    admin_session: InProcessAdmin, crowded_app: dict[str, Any]
) -> None:
    ascending = _ids(_list(admin_session, crowded_app)) + _ids(
        _list(admin_session, crowded_app,
              f"?after={_list(admin_session, crowded_app)[-1]['_id']}")
    )

    first = _list(admin_session, crowded_app, "?desc=true")
    second = _list(admin_session, crowded_app, f"?desc=true&after={first[-1]['_id']}")

    assert _ids(first) == ascending[::-1][:50]
    assert _ids(second) == ascending[::-1][50:]
    assert _list(admin_session, crowded_app, "?desc=false") == _list(admin_session,
                                                                      crowded_app)


def test_status_filters_enabled_and_disabled_users(
    admin_session: InProcessAdmin, crowded_app: dict[str, Any]
) -> None:
    everyone = _list(admin_session, crowded_app)
    disabled_ids = sorted(_ids(everyone[:2]))
    for user_id in disabled_ids:
        admin_session.put(f"{_users_path(admin_session, crowded_app)}/{user_id}/disable")

    disabled = _list(admin_session, crowded_app, "?status=disabled")
    enabled = _list(admin_session, crowded_app, "?status=enabled")
    enabled_rest = _list(admin_session, crowded_app,
                         f"?status=enabled&after={enabled[-1]['_id']}")

    assert _ids(disabled) == disabled_ids
    assert all(user["disabled"] for user in disabled)
    assert len(enabled) == 50
    assert len(enabled) + len(enabled_rest) == 55
    assert not set(disabled_ids) & set(_ids(enabled) + _ids(enabled_rest))


def test_provider_types_keeps_only_users_with_an_identity_of_those_types(
    admin_session: InProcessAdmin, crowded_app: dict[str, Any]
) -> None:
    password_users = _list(admin_session, crowded_app, "?provider_types=local-userpass")
    both = _list(admin_session, crowded_app, "?provider_types=api-key,local-userpass")
    anonymous = _list(admin_session, crowded_app, "?provider_types=anon-user")

    assert sorted(user["data"]["email"] for user in password_users) == [
        "ann@example.com", "bob@example.com"
    ]
    assert len(both) == 50
    assert {user["type"] for user in both} <= {"server", "normal"}
    assert anonymous == []


def test_an_invalid_list_parameter_is_an_invalid_parameter_naming_it(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for query, names in [
        ("?status=gone", "status"),
        ("?status=", "status"),
        ("?desc=maybe", "desc"),
        ("?after=not-an-id", "after"),
        ("?after=ABCDEFABCDEFABCDEFABCDEF", "after"),
        ("?after=%00", "after"),
        ("?provider_types=api-key,custom-token", "custom-token"),
        ("?sort=name", "sort"),
        ("?limit=10", "limit"),
        ("?stauts=disabled", "stauts"),
    ]:
        with subtests.test(query=query):
            response = admin_session.get(f"{_users_path(admin_session, users_app)}{query}")

            assert_error(response, 400, "InvalidParameter", says=names)


def test_an_app_without_users_lists_none(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    assert _list(admin_session, users_app) == []


# --- create ------------------------------------------------------------------------------


def test_creating_an_email_password_user_answers_201_with_the_user(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(users_app["_id"], "local-userpass")
    before = clock.timestamp()

    created = _create_user(admin_session, users_app, "new@example.com")

    assert set(created) == USER_FIELDS
    assert OBJECT_ID.match(created["_id"])
    assert created["type"] == "normal"
    assert created["disabled"] is False
    assert created["data"]["email"] == "new@example.com"
    assert created["custom_data"] == {}
    assert before <= created["creation_date"] <= clock.timestamp()
    assert isinstance(created["last_authentication_date"], int)
    assert len(created["identities"]) == 1
    identity = created["identities"][0]
    assert identity["provider_type"] == "local-userpass"
    assert identity["provider_id"] == provider["_id"]
    assert isinstance(identity["id"], str) and identity["id"]
    assert PASSWORD not in str(created)
    assert _list(admin_session, users_app) == [created]


def test_a_second_user_with_the_same_email_is_a_conflict(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    _create_user(admin_session, users_app, "same@example.com")

    exact = admin_session.post(_users_path(admin_session, users_app),
                               json={"email": "same@example.com", "password": "another-one"})
    other_case = admin_session.post(_users_path(admin_session, users_app),
                                    json={"email": "Same@Example.com", "password": "other-one"})

    assert_error(exact, 409, "AccountNameInUse", says="same@example.com")
    assert_error(other_case, 409, "AccountNameInUse")
    assert len(_list(admin_session, users_app)) == 1


def test_a_password_of_6_to_128_characters_is_accepted(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for i, password in enumerate(["x" * 6, "x" * 128, "pässwörd", "with spaces ok"]):
        with subtests.test(length=len(password)):
            created = _create_user(admin_session, users_app, f"ok{i}@example.com", password)

            assert created["type"] == "normal"


def test_a_password_shorter_than_6_or_longer_than_128_is_refused(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for password in ["", "x" * 5, "x" * 129]:
        with subtests.test(length=len(password)):
            response = admin_session.post(_users_path(admin_session, users_app), json={
                "email": "short@example.com", "password": password})

            assert_error(response, 400, "InvalidParameter", says="between 6 and 128")
    assert _list(admin_session, users_app) == []


def test_an_email_that_is_not_an_address_is_refused(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for email in ["", "no-at-sign", "two@@example.com", "sp ace@example.com",
                  "nul\u0000@example.com", "bell\u0007@example.com", "@example.com",
                  "nobody@"]:
        with subtests.test(email=email):
            response = admin_session.post(_users_path(admin_session, users_app),
                                          json={"email": email, "password": PASSWORD})

            assert_error(response, 400, "InvalidParameter", says="email")
    assert _list(admin_session, users_app) == []


@pytest.mark.parametrize("missing", ["email", "password"])
def test_creating_a_user_without_email_or_password_is_a_missing_parameter(
    admin_session: InProcessAdmin, users_app: dict[str, Any], missing: str
) -> None:
    body = {"email": "half@example.com", "password": PASSWORD}
    del body[missing]

    response = admin_session.post(_users_path(admin_session, users_app), json=body)

    assert_error(response, 400, "MissingParameter", says=missing)


def test_creating_a_user_needs_a_local_userpass_provider(
    admin_session: InProcessAdmin,
) -> None:
    bare = admin_session.create_app("bare")

    response = admin_session.post(_users_path(admin_session, bare),
                                  json={"email": "nobody@example.com", "password": PASSWORD})

    assert_error(response, 400, "AuthProviderNotFound", says="local-userpass")
    assert _list(admin_session, bare) == []


def test_only_the_password_given_is_stored_even_when_another_shares_its_first_72_bytes(
    app: Flask, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    common = "p" * 72  # bcrypt alone reads no further than this
    right, wrong = common + "-right", common + "-wrong"

    _create_user(admin_session, users_app, "long@example.com", right)

    with in_database(app):
        stored = PasswordCredential.get(PasswordCredential.email == "long@example.com")
        assert right not in stored.password_hash
        assert passwords.check_password(right, stored.password_hash)
        assert not passwords.check_password(wrong, stored.password_hash)
        assert not passwords.check_password(common, stored.password_hash)


# --- get -----------------------------------------------------------------------------------


def test_a_user_can_be_fetched_by_id(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    created = _create_user(admin_session, users_app, "get@example.com")

    fetched = assert_json(
        admin_session.get(f"{_users_path(admin_session, users_app)}/{created['_id']}"), 200
    )

    assert fetched == created


def test_a_missing_or_malformed_user_id_is_user_not_found(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for user_id in ["nope", "0" * 24, "A" * 24, "0" * 25]:
        with subtests.test(user_id=user_id):
            path = f"{_users_path(admin_session, users_app)}/{user_id}"

            assert_error(admin_session.get(path), 404, "UserNotFound")
            assert_error(admin_session.delete(path), 404, "UserNotFound")
            for action in ("enable", "disable", "logout"):
                assert_error(admin_session.put(f"{path}/{action}"), 404, "UserNotFound")


def test_another_apps_user_is_not_found_through_this_app(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    other = admin_session.create_app("other")
    admin_session.post(f"{admin_session.app_path(other['_id'])}/auth_providers",
                       json={"type": "local-userpass"})
    theirs = _create_user(admin_session, other, "theirs@example.com")
    path = f"{_users_path(admin_session, users_app)}/{theirs['_id']}"

    assert_error(admin_session.get(path), 404, "UserNotFound")
    assert_error(admin_session.put(f"{path}/disable"), 404, "UserNotFound")
    assert_error(admin_session.delete(path), 404, "UserNotFound")
    assert _list(admin_session, other)[0]["disabled"] is False


# --- delete --------------------------------------------------------------------------------


def test_deleting_a_user_deletes_its_identities_password_keys_and_sessions(
    app: Flask, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    doomed = _create_user(admin_session, users_app, "doomed@example.com")
    kept = _create_user(admin_session, users_app, "kept@example.com")
    with in_database(app):
        for user in (doomed, kept):
            session = add_session(users_app["_id"], user["_id"])
            api_keys.create_user_key(User.get_by_id(user["_id"]), session, "laptop")
    path = f"{_users_path(admin_session, users_app)}/{doomed['_id']}"

    assert_no_content(admin_session.delete(path))

    assert_error(admin_session.get(path), 404, "UserNotFound")
    assert _list(admin_session, users_app) == [kept]
    with in_database(app):
        for model in (Identity, ApiKey, Session):
            assert model.select().where(model.user == doomed["_id"]).count() == 0, model
            assert model.select().where(model.user == kept["_id"]).count() == 1, model
        emails = [c.email for c in PasswordCredential.select()]
        assert emails == ["kept@example.com"]
    response = admin_session.post(_users_path(admin_session, users_app),
                                  json={"email": "doomed@example.com", "password": PASSWORD})
    assert response.status_code == 201


def test_deleting_a_server_user_deletes_its_key(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    key = assert_json(admin_session.create_server_key(users_app["_id"], "machine"), 201)
    server_user = _list(admin_session, users_app, "?provider_types=api-key")[0]

    assert_no_content(admin_session.delete(
        f"{_users_path(admin_session, users_app)}/{server_user['_id']}"
    ))

    keys_path = f"{admin_session.app_path(users_app['_id'])}/api_keys"
    assert_error(admin_session.get(f"{keys_path}/{key['_id']}"), 404, "APIKeyNotFound")
    assert assert_json(admin_session.get(keys_path), 200) == []


# --- enable, disable, logout ---------------------------------------------------------------


def test_disable_and_enable_are_idempotent_and_show_on_the_user(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    created = _create_user(admin_session, users_app, "toggle@example.com")
    path = f"{_users_path(admin_session, users_app)}/{created['_id']}"

    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/disable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is True

    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/enable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is False


def test_disabling_a_user_ends_its_sessions(
    app: Flask, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    created = _create_user(admin_session, users_app, "ended@example.com")
    with in_database(app):
        add_session(users_app["_id"], created["_id"])

    admin_session.put(f"{_users_path(admin_session, users_app)}/{created['_id']}/disable")

    with in_database(app):
        assert Session.select().where(Session.user == created["_id"]).count() == 0


def test_logout_revokes_every_session_of_the_user_only(
    app: Flask, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    target = _create_user(admin_session, users_app, "target@example.com")
    bystander = _create_user(admin_session, users_app, "bystander@example.com")
    with in_database(app):
        for user_id in (target["_id"], target["_id"], bystander["_id"]):
            add_session(users_app["_id"], user_id)
    path = f"{_users_path(admin_session, users_app)}/{target['_id']}"

    assert_no_content(admin_session.put(f"{path}/logout"))
    assert_no_content(admin_session.put(f"{path}/logout"))

    with in_database(app):
        assert Session.select().where(Session.user == target["_id"]).count() == 0
        assert Session.select().where(Session.user == bystander["_id"]).count() == 1
    assert assert_json(admin_session.get(path), 200)["disabled"] is False


# --- verify_token --------------------------------------------------------------------------


def _verify(admin: InProcessAdmin, app: dict[str, Any], token: Any) -> Any:
    return admin.post(f"{_users_path(admin, app)}/verify_token", json={"token": token})


def _anonymous_login(client: FlaskClient, admin: InProcessAdmin,
                     app: dict[str, Any]) -> dict[str, Any]:
    admin.post(f"{admin.app_path(app['_id'])}/auth_providers", json={"type": "anon-user"})
    login: dict[str, Any] = assert_json(client.post(
        f"{CLIENT_BASE}/app/{app['client_app_id']}/auth/providers/anon-user/login", json={},
    ), 200)
    return login


def _assert_invalid_session(response: Any) -> None:
    # The official document's words for every token that does not verify.
    assert assert_error(response, 401, "InvalidSession") == "invalid session"


def test_verify_token_refuses_garbage_as_an_invalid_session(
    admin_session: InProcessAdmin, users_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for token in ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "nul\u0000"]:
        with subtests.test(token=token):
            _assert_invalid_session(_verify(admin_session, users_app, token))


def test_verify_token_refuses_a_token_signed_with_another_secret(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    now = clock.timestamp()
    forged = jwt.encode({"sub": "0" * 24, "typ": "access", "iat": now, "exp": now + 600,
                         "baas_domain_id": users_app["domain_id"], "iss": "0" * 24},
                        "not-this-servers-secret-not-this-servers", algorithm="HS256")

    _assert_invalid_session(_verify(admin_session, users_app, forged))


def test_verify_token_refuses_an_admin_token_and_a_refresh_token(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    login = _anonymous_login(client, admin_session, users_app)

    _assert_invalid_session(_verify(admin_session, users_app, admin_session.access_token))
    _assert_invalid_session(_verify(admin_session, users_app, login["refresh_token"]))


def test_verify_token_without_a_token_is_a_missing_parameter(
    admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    response = admin_session.post(f"{_users_path(admin_session, users_app)}/verify_token",
                                  json={})

    assert_error(response, 400, "MissingParameter", says="token")


def test_verify_token_returns_the_documented_claims_of_a_live_client_access_token(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    login = _anonymous_login(client, admin_session, users_app)
    session = Session.get_by_id(jwt.decode(login["access_token"],
                                           options={"verify_signature": False})["baas_id"])

    claims = assert_json(_verify(admin_session, users_app, login["access_token"]), 200)

    # The official document's names: what realm-core's test harness reads (iat, exp).
    assert set(claims) == {"sub", "exp", "iat", "iss", "domain_id", "device_id"}
    assert claims["sub"] == login["user_id"]
    assert claims["domain_id"] == users_app["domain_id"]
    assert claims["device_id"] == login["device_id"]
    assert claims["iss"] == session.id
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)
    assert claims["exp"] - claims["iat"] == 30 * 60


def test_verify_token_includes_the_custom_user_data_a_token_carries(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    login = _anonymous_login(client, admin_session, users_app)
    User.update(custom_data={"plan": "gold"}).where(User.id == login["user_id"]).execute()
    access = assert_json(client.post(f"{CLIENT_BASE}/auth/session", headers={
        "Authorization": f"Bearer {login['refresh_token']}"}), 201)["access_token"]

    claims = assert_json(_verify(admin_session, users_app, access), 200)

    assert claims["custom_user_data"] == {"plan": "gold"}


def test_an_expired_access_token_is_answered_token_expired_as_documented(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    login = _anonymous_login(client, admin_session, users_app)
    clock.advance(timedelta(minutes=31))
    admin_session.log_in()  # the admin's own access token expired too

    response = _verify(admin_session, users_app, login["access_token"])

    assert assert_json(response, 200) == "token expired"


@pytest.mark.parametrize("revoke", ["logout", "disable", "delete", "disable-provider"])
def test_a_revoked_sessions_access_token_no_longer_verifies(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any], revoke: str
) -> None:
    """Stricter than the original on purpose: revoking stops the token at once."""
    login = _anonymous_login(client, admin_session, users_app)
    user_path = f"{_users_path(admin_session, users_app)}/{login['user_id']}"
    if revoke == "logout":
        assert_no_content(admin_session.put(f"{user_path}/logout"))
    elif revoke == "disable":
        assert_no_content(admin_session.put(f"{user_path}/disable"))
    elif revoke == "delete":
        assert_no_content(admin_session.delete(user_path))
    else:
        provider = admin_session.provider(users_app["_id"], "anon-user")
        assert_no_content(admin_session.put(
            f"{admin_session.app_path(users_app['_id'])}/auth_providers/{provider['_id']}"
            "/disable"))

    _assert_invalid_session(_verify(admin_session, users_app, login["access_token"]))


def test_a_disabled_keys_access_token_no_longer_verifies(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    created = assert_json(admin_session.create_server_key(users_app["_id"], "verified"), 201)
    login = assert_json(client.post(
        f"{CLIENT_BASE}/app/{users_app['client_app_id']}/auth/providers/api-key/login",
        json={"key": created["key"]}), 200)
    assert assert_json(_verify(admin_session, users_app, login["access_token"]), 200)
    keys_path = f"{admin_session.app_path(users_app['_id'])}/api_keys/{created['_id']}"

    assert_no_content(admin_session.put(f"{keys_path}/disable"))

    _assert_invalid_session(_verify(admin_session, users_app, login["access_token"]))


def test_verify_token_refuses_another_apps_token(
    client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    other = admin_session.create_app("other")
    login = _anonymous_login(client, admin_session, other)

    _assert_invalid_session(_verify(admin_session, users_app, login["access_token"]))


# --- groups the admin was not granted --------------------------------------------------------


def test_another_groups_users_are_out_of_reach(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, users_app: dict[str, Any]
) -> None:
    created = _create_user(admin_session, users_app, "guarded@example.com")
    users = _users_path(admin_session, users_app)
    path = f"{users}/{created['_id']}"
    other = new_admin(app, client, "other-group")
    through_own_group = f"{other.app_path(users_app['_id'])}/users"

    assert_error(other.get(users), 404, "GroupNotFound")
    assert_error(other.post(users, json={"email": "x@example.com", "password": PASSWORD}),
                 404, "GroupNotFound")
    assert_error(other.get(path), 404, "GroupNotFound")
    for action in ("enable", "disable", "logout"):
        assert_error(other.put(f"{path}/{action}"), 404, "GroupNotFound")
    assert_error(other.delete(path), 404, "GroupNotFound")
    assert_error(other.post(f"{users}/verify_token", json={"token": "x"}), 404, "GroupNotFound")
    assert_error(other.get(through_own_group), 404, "AppNotFound")
    assert_error(other.put(f"{through_own_group}/{created['_id']}/disable"), 404, "AppNotFound")

    assert _list(admin_session, users_app) == [created]
