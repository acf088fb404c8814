"""Admin API: the apps of a group (contract §2: list, create, get, delete).

An admin reaches only the groups its key is granted: everything else is a 404.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.models import (
    ApiKey,
    App,
    AuthProvider,
    Identity,
    PasswordCredential,
    Session,
    User,
)
from tests.support.app import InProcessAdmin, new_admin
from tests.support.store import add_session, in_database
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

APP_FIELDS = {"_id", "client_app_id", "group_id", "domain_id", "name", "location",
              "provider_region", "environment",
              "deployment_model", "product", "last_modified"}


def test_a_group_without_apps_lists_none(admin_session: InProcessAdmin) -> None:
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_creating_an_app_answers_201_with_the_app(admin_session: InProcessAdmin) -> None:
    before = clock.timestamp()

    body = assert_json(admin_session.post(admin_session.apps_path, json={"name": "todo"}), 201)

    assert set(body) == APP_FIELDS
    assert body["name"] == "todo"
    assert body["group_id"] == admin_session.group_id
    assert OBJECT_ID.match(body["_id"])
    assert OBJECT_ID.match(body["domain_id"])
    assert body["deployment_model"] == "GLOBAL"
    assert isinstance(body["location"], str) and body["location"]
    assert isinstance(body["product"], str) and body["product"]
    assert isinstance(body["last_modified"], int)
    assert before <= body["last_modified"] <= clock.timestamp()


def test_the_client_app_id_is_the_name_a_dash_and_five_lowercase_letters(
    admin_session: InProcessAdmin,
) -> None:
    first = admin_session.create_app("todo")
    second = admin_session.create_app("todo-2")

    assert re.fullmatch(r"todo-[a-z]{5}", first["client_app_id"])
    assert re.fullmatch(r"todo-2-[a-z]{5}", second["client_app_id"])


def test_the_client_app_id_is_lower_case_even_for_a_mixed_case_name(
    admin_session: InProcessAdmin,
) -> None:
    created = admin_session.create_app("MyApp")

    assert created["name"] == "MyApp"
    assert re.fullmatch(r"myapp-[a-z]{5}", created["client_app_id"])


def test_a_new_app_has_only_the_api_key_provider_and_it_is_disabled(
    admin_session: InProcessAdmin,
) -> None:
    created = admin_session.create_app("fresh")

    providers = assert_json(
        admin_session.get(f"{admin_session.app_path(created['_id'])}/auth_providers"), 200
    )

    assert [(p["type"], p["name"], p["disabled"]) for p in providers] == [
        ("api-key", "api-key", True)
    ]


def test_created_apps_are_listed_oldest_first_and_each_can_be_fetched(
    admin_session: InProcessAdmin,
) -> None:
    first = admin_session.create_app("first")
    second = admin_session.create_app("second")

    listed = assert_json(admin_session.get(admin_session.apps_path), 200)

    assert listed == [first, second]
    assert assert_json(admin_session.get(admin_session.app_path(second["_id"])), 200) == second


def test_an_app_is_addressed_by_its_id_never_its_client_app_id(
    admin_session: InProcessAdmin,
) -> None:
    created = admin_session.create_app("byid")

    response = admin_session.get(admin_session.app_path(created["client_app_id"]))

    assert_error(response, 404, "AppNotFound")


def test_a_missing_or_malformed_app_id_is_app_not_found(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for app_id in ["nope", "0" * 23, "0" * 25, "g" * 24, "ABCDEFABCDEFABCDEFABCDEF",
                   "000000000000000000000000"]:
        with subtests.test(app_id=app_id):
            path = admin_session.app_path(app_id)

            assert_error(admin_session.get(path), 404, "AppNotFound")
            assert_error(admin_session.delete(path), 404, "AppNotFound")


def test_an_app_name_outside_the_rules_is_an_invalid_parameter(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for name in ["", "1starts-with-digit", "-dash-first", "has space", "a" * 33,
                 "trailing-newline\n", "naïve", "dot.name", "quote'd", "nul\u0000"]:
        with subtests.test(name=name):
            response = admin_session.post(admin_session.apps_path, json={"name": name})

            assert_error(response, 400, "InvalidParameter", says="app name")
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_an_app_name_of_32_characters_is_accepted(admin_session: InProcessAdmin) -> None:
    name = "a" * 32

    assert admin_session.create_app(name)["name"] == name


def test_a_second_app_with_the_same_name_in_a_group_is_a_conflict(
    admin_session: InProcessAdmin,
) -> None:
    admin_session.create_app("twice")

    response = admin_session.post(admin_session.apps_path, json={"name": "twice"})

    assert_error(response, 409, "AppAlreadyExists", says="twice")
    assert len(assert_json(admin_session.get(admin_session.apps_path), 200)) == 1


def test_creating_an_app_without_a_name_is_a_missing_parameter(
    admin_session: InProcessAdmin,
) -> None:
    response = admin_session.post(admin_session.apps_path, json={})

    assert_error(response, 400, "MissingParameter", says="name")


# --- delete --------------------------------------------------------------------------


def test_a_deleted_app_is_gone_from_the_listing_and_from_every_path_under_it(
    admin_session: InProcessAdmin,
) -> None:
    kept = admin_session.create_app("kept")
    doomed = admin_session.create_app("doomed")
    path = admin_session.app_path(doomed["_id"])

    assert_no_content(admin_session.delete(path))

    assert assert_json(admin_session.get(admin_session.apps_path), 200) == [kept]
    assert_error(admin_session.get(path), 404, "AppNotFound")
    for below in ("/auth_providers", "/api_keys", "/users"):
        assert_error(admin_session.get(path + below), 404, "AppNotFound")
    assert_error(admin_session.delete(path), 404, "AppNotFound")


def _rows_of(app_id: str) -> dict[str, int]:
    return {
        "apps": App.select().where(App.id == app_id).count(),
        "providers": AuthProvider.select().where(AuthProvider.app == app_id).count(),
        "users": User.select().where(User.app == app_id).count(),
        "identities": Identity.select().where(Identity.app == app_id).count(),
        "passwords": PasswordCredential.select().where(PasswordCredential.app == app_id).count(),
        "api keys": ApiKey.select().where(ApiKey.app == app_id).count(),
        "sessions": Session.select().where(Session.app == app_id).count(),
    }


def _populate(admin: InProcessAdmin, created: dict[str, Any]) -> None:
    path = admin.app_path(created["_id"])
    admin.enable_api_keys(created["_id"])
    for name in ("one", "two"):
        assert admin.create_server_key(created["_id"], name).status_code == 201
    assert admin.post(f"{path}/auth_providers", json={"type": "local-userpass"}).status_code == 201
    assert admin.post(f"{path}/users", json={
        "email": f"{created['name']}@example.com", "password": "secret-password",
    }).status_code == 201


def test_deleting_an_app_deletes_its_providers_keys_users_and_sessions(
    app: Flask, admin_session: InProcessAdmin
) -> None:
    doomed = admin_session.create_app("doomed")
    kept = admin_session.create_app("kept")
    for created in (doomed, kept):
        _populate(admin_session, created)
    with in_database(app):
        user = User.select().where(User.app == doomed["_id"]).first()
        add_session(doomed["_id"], user.id)
        kept_before = _rows_of(kept["_id"])

    assert_no_content(admin_session.delete(admin_session.app_path(doomed["_id"])))

    with in_database(app):
        assert set(_rows_of(doomed["_id"]).values()) == {0}, _rows_of(doomed["_id"])
        assert _rows_of(kept["_id"]) == kept_before
    kept_path = admin_session.app_path(kept["_id"])
    assert len(assert_json(admin_session.get(f"{kept_path}/api_keys"), 200)) == 2
    assert len(assert_json(admin_session.get(f"{kept_path}/users"), 200)) == 3


# --- groups the admin was not granted --------------------------------------------------


def test_an_admin_cannot_reach_another_groups_apps(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    mine = admin_session.create_app("mine")
    other = new_admin(app, client, "other-group")
    my_group_apps = admin_session.apps_path

    assert_error(other.get(my_group_apps), 404, "GroupNotFound")
    assert_error(other.post(my_group_apps, json={"name": "intruder"}), 404, "GroupNotFound")
    assert_error(other.get(admin_session.app_path(mine["_id"])), 404, "GroupNotFound")
    assert_error(other.delete(admin_session.app_path(mine["_id"])), 404, "GroupNotFound")

    assert assert_json(admin_session.get(my_group_apps), 200) == [mine]


def test_another_groups_app_through_ones_own_group_is_app_not_found(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    mine = admin_session.create_app("mine")
    other = new_admin(app, client, "other-group")

    assert_error(other.get(other.app_path(mine["_id"])), 404, "AppNotFound")
    assert_error(other.delete(other.app_path(mine["_id"])), 404, "AppNotFound")

    assert assert_json(other.get(other.apps_path), 200) == []
    assert admin_session.get(admin_session.app_path(mine["_id"])).status_code == 200


def test_a_missing_or_malformed_group_id_is_group_not_found(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for group_id in ["nope", "0" * 24, "ABCDEFABCDEFABCDEFABCDEF", "%00"]:
        with subtests.test(group_id=group_id):
            assert_error(admin_session.get(f"/groups/{group_id}/apps"), 404, "GroupNotFound")


def test_two_admins_granted_the_same_group_share_its_apps(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    shared = admin_session.create_app("shared")
    colleague = new_admin(app, client, "default")

    assert colleague.group_id == admin_session.group_id
    assert assert_json(colleague.get(colleague.apps_path), 200) == [shared]
