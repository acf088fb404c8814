"""Admin API: server API keys of an app (contract §2 and the key rows of §3).

A server key is shown once, in the 201 of its creation; each has its own server user;
an app holds at most 100.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.domain import api_keys
from app.models import ALL_MODELS, ApiKey, App, Identity, User
from app.models.api_key import SERVER
from tests.support.app import InProcessAdmin, new_admin
from tests.support.store import add_session, in_database
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

KEY_FIELDS = {"_id", "name", "disabled"}


def _keys_path(admin: InProcessAdmin, app: dict[str, Any]) -> str:
    return f"{admin.app_path(app['_id'])}/api_keys"


def _create(admin: InProcessAdmin, app: dict[str, Any], name: str) -> dict[str, Any]:
    body: dict[str, Any] = assert_json(admin.create_server_key(app["_id"], name), 201)
    return body


def _server_users(admin: InProcessAdmin, app: dict[str, Any]) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = assert_json(
        admin.get(f"{admin.app_path(app['_id'])}/users?provider_types=api-key"), 200
    )
    return users


# --- create --------------------------------------------------------------------------


def test_creating_a_key_answers_201_with_its_value_once(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "reporting")

    assert set(created) == KEY_FIELDS | {"key"}
    assert OBJECT_ID.match(created["_id"])
    assert created["name"] == "reporting"
    assert created["disabled"] is False
    assert isinstance(created["key"], str) and len(created["key"]) >= 43


def test_listing_and_getting_keys_never_shows_their_values(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    first = _create(admin_session, enabled_app, "first")
    second = _create(admin_session, enabled_app, "second")
    path = _keys_path(admin_session, enabled_app)

    listed = assert_json(admin_session.get(path), 200)
    fetched = assert_json(admin_session.get(f"{path}/{second['_id']}"), 200)

    assert listed == [
        {"_id": first["_id"], "name": "first", "disabled": False},
        {"_id": second["_id"], "name": "second", "disabled": False},
    ]
    assert fetched == {"_id": second["_id"], "name": "second", "disabled": False}


def test_an_app_without_keys_lists_none(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    assert assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200) == []


def test_every_key_gets_a_different_value(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    values = {_create(admin_session, enabled_app, f"k{i}")["key"] for i in range(3)}

    assert len(values) == 3


# --- names ---------------------------------------------------------------------------


# The original's words: realm-dotnet's, realm-dart's and realm-kotlin's tests compare them.
ONLY_SAFE_CHARACTERS = "can only contain ASCII letters, numbers, underscores, and hyphens"


def test_a_key_name_outside_the_rules_is_refused_naming_the_rule(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for name, rule in [
        ("", "must not be empty"),
        ("a" * 65, "at most 64"),
        ("has space", ONLY_SAFE_CHARACTERS),
        ("%s", ONLY_SAFE_CHARACTERS),
        ("it's", ONLY_SAFE_CHARACTERS),
        ('say"what', ONLY_SAFE_CHARACTERS),
        ("clé", ONLY_SAFE_CHARACTERS),
        ("ключ", ONLY_SAFE_CHARACTERS),
        ("\uff11\uff12\uff13", ONLY_SAFE_CHARACTERS),  # full-width digits
        ("dot.name", ONLY_SAFE_CHARACTERS),
        ("trailing-newline\n", ONLY_SAFE_CHARACTERS),
        ("tab\tinside", ONLY_SAFE_CHARACTERS),
        ("nul\u0000", ONLY_SAFE_CHARACTERS),
    ]:
        with subtests.test(name=name):
            response = admin_session.create_server_key(enabled_app["_id"], name)

            assert_error(response, 400, "InvalidParameter", says=rule)
    assert assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200) == []
    assert _server_users(admin_session, enabled_app) == []


def test_a_key_name_of_letters_digits_underscores_and_dashes_up_to_64_is_accepted(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for name in ["a" * 64, "A", "7", "under_score", "da-sh", "Mixed-Case_09", "-", "_"]:
        with subtests.test(name=name):
            assert _create(admin_session, enabled_app, name)["name"] == name


def test_a_key_without_a_name_is_a_missing_parameter(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    response = admin_session.post(_keys_path(admin_session, enabled_app), json={})

    assert_error(response, 400, "MissingParameter", says="name")


def test_a_key_name_that_is_not_a_string_is_an_invalid_parameter(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for name in [42, None, ["a"], {"a": 1}, True]:
        with subtests.test(name=name):
            response = admin_session.post(_keys_path(admin_session, enabled_app),
                                          json={"name": name})

            assert_error(response, 400, "InvalidParameter", says="name")


def test_a_second_key_with_the_same_name_in_an_app_is_a_conflict(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    _create(admin_session, enabled_app, "twice")

    response = admin_session.create_server_key(enabled_app["_id"], "twice")

    # The original's words, which realm-dart's tests compare.
    assert_error(response, 409, "APIKeyAlreadyExists", says="API key with name already exists")
    assert len(assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200)) == 1
    assert len(_server_users(admin_session, enabled_app)) == 1


def test_the_same_key_name_may_be_used_in_another_app(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    other = admin_session.create_app("other")
    admin_session.enable_api_keys(other["_id"])
    _create(admin_session, enabled_app, "shared-name")

    assert _create(admin_session, other, "shared-name")["name"] == "shared-name"


def test_a_deleted_keys_name_can_be_used_again(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    first = _create(admin_session, enabled_app, "reused")
    assert_no_content(admin_session.delete(f"{_keys_path(admin_session, enabled_app)}/"
                                           f"{first['_id']}"))

    again = _create(admin_session, enabled_app, "reused")

    assert again["_id"] != first["_id"]


# --- the provider must be enabled ------------------------------------------------------


def test_if_the_api_key_provider_is_disabled_then_creating_a_key_says_to_enable_it(
    admin_session: InProcessAdmin,
) -> None:
    created = admin_session.create_app("fresh")  # api-key present but disabled

    response = admin_session.create_server_key(created["_id"], "too-early")

    assert_error(response, 400, "AuthProviderNotFound", says="enable")
    assert assert_json(admin_session.get(_keys_path(admin_session, created)), 200) == []
    assert _server_users(admin_session, created) == []


def test_if_the_api_key_provider_was_removed_then_creating_a_key_is_refused(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(enabled_app["_id"], "api-key")
    admin_session.delete(f"{admin_session.app_path(enabled_app['_id'])}/auth_providers/"
                         f"{provider['_id']}")

    response = admin_session.create_server_key(enabled_app["_id"], "no-provider")

    assert_error(response, 400, "AuthProviderNotFound", says="api-key")


def test_keys_made_while_the_provider_was_enabled_stay_manageable_after_it_is_disabled(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "made-early")
    provider = admin_session.provider(enabled_app["_id"], "api-key")
    admin_session.put(f"{admin_session.app_path(enabled_app['_id'])}/auth_providers/"
                      f"{provider['_id']}/disable")
    path = f"{_keys_path(admin_session, enabled_app)}/{created['_id']}"

    assert assert_json(admin_session.get(path), 200)["name"] == "made-early"
    assert_no_content(admin_session.put(f"{path}/disable"))
    assert_no_content(admin_session.delete(path))


# --- the limit of 100 ------------------------------------------------------------------


def test_the_101st_server_key_is_refused_and_nothing_of_it_is_made(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    with in_database(app):
        row = App.get_by_id(enabled_app["_id"])
        for i in range(99):
            api_keys.create_server_key(row, f"seeded-{i}")
    assert _create(admin_session, enabled_app, "the-100th")["name"] == "the-100th"

    response = admin_session.create_server_key(enabled_app["_id"], "one-too-many")

    assert_error(response, 400, "LimitExceeded", says="100")
    listed = assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200)
    assert len(listed) == 100
    assert "one-too-many" not in {key["name"] for key in listed}
    with in_database(app):
        assert ApiKey.select().where(ApiKey.app == enabled_app["_id"]).count() == 100
        server_users = User.select().where(
            (User.app == enabled_app["_id"]) & (User.type == "server")
        )
        assert server_users.count() == 100


def test_after_deleting_one_of_100_keys_another_can_be_made(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    with in_database(app):
        row = App.get_by_id(enabled_app["_id"])
        issued = [api_keys.create_server_key(row, f"seeded-{i}") for i in range(100)]
    assert_error(admin_session.create_server_key(enabled_app["_id"], "extra"),
                 400, "LimitExceeded")

    admin_session.delete(f"{_keys_path(admin_session, enabled_app)}/{issued[0].api_key.id}")

    assert _create(admin_session, enabled_app, "extra")["name"] == "extra"


# --- the server user -------------------------------------------------------------------


def test_each_server_key_has_its_own_server_user(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "backend")
    provider = admin_session.provider(enabled_app["_id"], "api-key")

    users = _server_users(admin_session, enabled_app)

    assert len(users) == 1
    user = users[0]
    assert user["type"] == "server"
    assert user["data"]["name"] == "backend"
    assert user["disabled"] is False
    assert user["identities"] == [
        {"id": created["_id"], "provider_type": "api-key", "provider_id": provider["_id"]}
    ]


def test_two_keys_have_two_server_users(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    first = _create(admin_session, enabled_app, "first")
    second = _create(admin_session, enabled_app, "second")

    users = _server_users(admin_session, enabled_app)

    assert {user["identities"][0]["id"] for user in users} == {first["_id"], second["_id"]}
    assert {user["data"]["name"] for user in users} == {"first", "second"}


def test_deleting_a_key_deletes_its_server_user_and_nothing_else(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    doomed = _create(admin_session, enabled_app, "doomed")
    kept = _create(admin_session, enabled_app, "kept")
    users_path = f"{admin_session.app_path(enabled_app['_id'])}/users"
    by_key = {user["identities"][0]["id"]: user for user in
              _server_users(admin_session, enabled_app)}
    with in_database(app):
        add_session(enabled_app["_id"], by_key[doomed["_id"]]["_id"], doomed["_id"])

    assert_no_content(admin_session.delete(f"{_keys_path(admin_session, enabled_app)}/"
                                           f"{doomed['_id']}"))

    assert_error(admin_session.get(f"{users_path}/{by_key[doomed['_id']]['_id']}"),
                 404, "UserNotFound")
    assert _server_users(admin_session, enabled_app) == [by_key[kept["_id"]]]
    with in_database(app):
        assert not Identity.select().where(Identity.external_id == doomed["_id"]).exists()
        assert not User.select().where(User.id == by_key[doomed["_id"]]["_id"]).exists()


# --- get, delete, enable, disable --------------------------------------------------------


def test_a_deleted_key_is_not_found_any_more(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "short-lived")
    path = f"{_keys_path(admin_session, enabled_app)}/{created['_id']}"

    assert_no_content(admin_session.delete(path))

    assert_error(admin_session.get(path), 404, "APIKeyNotFound")
    assert_error(admin_session.delete(path), 404, "APIKeyNotFound")
    assert_error(admin_session.put(f"{path}/enable"), 404, "APIKeyNotFound")
    assert assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200) == []


def test_disable_and_enable_are_idempotent_and_show_in_get_and_list(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "toggled")
    path = f"{_keys_path(admin_session, enabled_app)}/{created['_id']}"

    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/disable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is True
    assert assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200) == [
        {"_id": created["_id"], "name": "toggled", "disabled": True}
    ]

    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/enable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is False


def test_disabling_a_key_ends_the_sessions_it_opened(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "in-use")
    user_id = _server_users(admin_session, enabled_app)[0]["_id"]
    with in_database(app):
        session = add_session(enabled_app["_id"], user_id, created["_id"])

    admin_session.put(f"{_keys_path(admin_session, enabled_app)}/{created['_id']}/disable")

    with in_database(app):
        assert not type(session).select().where(type(session).id == session.id).exists()


def test_a_missing_or_malformed_key_id_is_api_key_not_found(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for key_id in ["nope", "0" * 24, "A" * 24, "0" * 23]:
        with subtests.test(key_id=key_id):
            path = f"{_keys_path(admin_session, enabled_app)}/{key_id}"

            assert_error(admin_session.get(path), 404, "APIKeyNotFound")
            assert_error(admin_session.delete(path), 404, "APIKeyNotFound")
            assert_error(admin_session.put(f"{path}/enable"), 404, "APIKeyNotFound")
            assert_error(admin_session.put(f"{path}/disable"), 404, "APIKeyNotFound")


def test_another_apps_key_is_not_found_through_this_app(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    other = admin_session.create_app("other")
    admin_session.enable_api_keys(other["_id"])
    theirs = _create(admin_session, other, "theirs")
    path = f"{_keys_path(admin_session, enabled_app)}/{theirs['_id']}"

    assert_error(admin_session.get(path), 404, "APIKeyNotFound")
    assert_error(admin_session.put(f"{path}/disable"), 404, "APIKeyNotFound")
    assert_error(admin_session.delete(path), 404, "APIKeyNotFound")
    assert assert_json(admin_session.get(f"{_keys_path(admin_session, other)}/"
                                         f"{theirs['_id']}"), 200)["disabled"] is False


def test_a_users_own_key_is_not_a_server_key(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    path = admin_session.app_path(enabled_app["_id"])
    admin_session.post(f"{path}/auth_providers", json={"type": "local-userpass"})
    user = assert_json(admin_session.post(f"{path}/users", json={
        "email": "owner@example.com", "password": "secret-password"}), 201)
    with in_database(app):
        owner = User.get_by_id(user["_id"])
        session = add_session(enabled_app["_id"], user["_id"])
        user_key = api_keys.create_user_key(owner, session, "laptop").api_key

    assert assert_json(admin_session.get(_keys_path(admin_session, enabled_app)), 200) == []
    assert_error(admin_session.get(f"{_keys_path(admin_session, enabled_app)}/{user_key.id}"),
                 404, "APIKeyNotFound")
    assert_error(admin_session.delete(f"{_keys_path(admin_session, enabled_app)}/"
                                      f"{user_key.id}"), 404, "APIKeyNotFound")


# --- the value is a secret ---------------------------------------------------------------


def _text_in_database() -> list[str]:
    values: list[str] = []
    for model in ALL_MODELS:
        for row in model.select().dicts():
            columns: dict[str, Any] = row  # type: ignore[assignment]  # .dicts() rows
            values.extend(str(value) for value in columns.values() if value is not None)
    return values


def test_the_key_value_is_stored_nowhere_and_logged_nowhere(
    app: Flask, admin_session: InProcessAdmin, enabled_app: dict[str, Any],
    database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    key = _create(admin_session, enabled_app, "secretive")["key"]
    admin_session.get(_keys_path(admin_session, enabled_app))

    with in_database(app):
        assert ApiKey.select().where(ApiKey.kind == SERVER).count() == 1
        assert not [value for value in _text_in_database() if key in value]
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert key.encode() not in stored
    assert key not in caplog.text


# --- groups the admin was not granted ----------------------------------------------------


def test_another_groups_keys_are_out_of_reach(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    created = _create(admin_session, enabled_app, "guarded")
    keys = _keys_path(admin_session, enabled_app)
    path = f"{keys}/{created['_id']}"
    other = new_admin(app, client, "other-group")
    through_own_group = f"{other.app_path(enabled_app['_id'])}/api_keys"

    assert_error(other.get(keys), 404, "GroupNotFound")
    assert_error(other.post(keys, json={"name": "intruder"}), 404, "GroupNotFound")
    assert_error(other.get(path), 404, "GroupNotFound")
    assert_error(other.put(f"{path}/disable"), 404, "GroupNotFound")
    assert_error(other.put(f"{path}/enable"), 404, "GroupNotFound")
    assert_error(other.delete(path), 404, "GroupNotFound")
    assert_error(other.get(through_own_group), 404, "AppNotFound")
    assert_error(other.post(through_own_group, json={"name": "intruder"}), 404, "AppNotFound")
    assert_error(other.delete(f"{through_own_group}/{created['_id']}"), 404, "AppNotFound")

    assert assert_json(admin_session.get(keys), 200) == [
        {"_id": created["_id"], "name": "guarded", "disabled": False}
    ]
