"""Admin API: an app's authentication providers (contract §2).

One provider of each type per app, always named after its type; `api-key` has no
configuration at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.app import InProcessAdmin, new_admin
from tests.support.wire import OBJECT_ID, assert_error, assert_json, assert_no_content

TYPES = ["api-key", "anon-user", "local-userpass"]
SUMMARY_FIELDS = {"_id", "name", "type", "disabled"}


@pytest.fixture
def fresh_app(admin_session: InProcessAdmin) -> dict[str, Any]:
    """A new app, as created: only the disabled api-key provider."""
    return admin_session.create_app("providers")


def _providers_path(admin: InProcessAdmin, app: dict[str, Any]) -> str:
    return f"{admin.app_path(app['_id'])}/auth_providers"


def _listed(admin: InProcessAdmin, app: dict[str, Any]) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = assert_json(admin.get(_providers_path(admin, app)), 200)
    return body


def _add(admin: InProcessAdmin, app: dict[str, Any], provider_type: str,
         **fields: Any) -> dict[str, Any]:
    """Add a provider of `provider_type`, making room first if the app already has one."""
    path = _providers_path(admin, app)
    existing = [p for p in _listed(admin, app) if p["type"] == provider_type]
    for provider in existing:
        assert_no_content(admin.delete(f"{path}/{provider['_id']}"))
    body: dict[str, Any] = assert_json(
        admin.post(path, json={"type": provider_type, **fields}), 201
    )
    return body


# --- list and create -----------------------------------------------------------------


def test_the_listing_shows_id_name_type_and_disabled_of_each_provider(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    _add(admin_session, fresh_app, "anon-user")

    listed = _listed(admin_session, fresh_app)

    assert [p["type"] for p in listed] == ["api-key", "anon-user"]
    for provider in listed:
        assert set(provider) == SUMMARY_FIELDS
        assert OBJECT_ID.match(provider["_id"])
        assert provider["name"] == provider["type"]
        assert isinstance(provider["disabled"], bool)


@pytest.mark.parametrize("provider_type", TYPES)
def test_a_provider_is_created_enabled_and_named_after_its_type_by_default(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], provider_type: str
) -> None:
    created = _add(admin_session, fresh_app, provider_type)

    assert set(created) == SUMMARY_FIELDS | {"config"}
    assert created["type"] == provider_type
    assert created["name"] == provider_type
    assert created["disabled"] is False
    assert created["config"] == {}
    assert {"_id": created["_id"], "name": provider_type, "type": provider_type,
            "disabled": False} in _listed(admin_session, fresh_app)


@pytest.mark.parametrize("provider_type", TYPES)
def test_every_provider_type_can_be_read_disabled_enabled_patched_and_removed(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], provider_type: str
) -> None:
    created = _add(admin_session, fresh_app, provider_type, name=provider_type)
    path = f"{_providers_path(admin_session, fresh_app)}/{created['_id']}"

    assert assert_json(admin_session.get(path), 200) == created

    assert_no_content(admin_session.put(f"{path}/disable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is True
    assert_no_content(admin_session.put(f"{path}/enable"))
    assert assert_json(admin_session.get(path), 200)["disabled"] is False

    assert_no_content(admin_session.patch(path, json={"disabled": True}))
    assert assert_json(admin_session.get(path), 200)["disabled"] is True

    assert_no_content(admin_session.delete(path))
    assert_error(admin_session.get(path), 404, "AuthProviderNotFound")
    assert provider_type not in [p["type"] for p in _listed(admin_session, fresh_app)]


def test_a_provider_can_be_created_disabled(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    created = _add(admin_session, fresh_app, "anon-user", disabled=True)

    assert created["disabled"] is True


def test_local_userpass_keeps_its_configuration(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    config = {"autoConfirm": True, "resetPasswordUrl": "https://example.com/reset"}

    created = _add(admin_session, fresh_app, "local-userpass", config=config)

    path = f"{_providers_path(admin_session, fresh_app)}/{created['_id']}"
    assert created["config"] == config
    assert assert_json(admin_session.get(path), 200)["config"] == config


@pytest.mark.parametrize("provider_type", TYPES)
def test_a_name_other_than_the_type_is_refused(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], provider_type: str
) -> None:
    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"type": provider_type, "name": "my-provider"})

    assert_error(response, 400, "InvalidParameter", says="name must be the same as its type")
    assert [p["type"] for p in _listed(admin_session, fresh_app)] == ["api-key"]


def test_the_api_key_provider_every_new_app_has_cannot_be_added_twice(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"type": "api-key"})

    assert_error(response, 409, "AuthProviderAlreadyExists", says="api-key")


@pytest.mark.parametrize("provider_type", ["anon-user", "local-userpass"])
def test_a_second_provider_of_a_type_is_a_conflict(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], provider_type: str
) -> None:
    _add(admin_session, fresh_app, provider_type)

    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"type": provider_type, "disabled": True})

    assert_error(response, 409, "AuthProviderAlreadyExists", says=provider_type)
    assert [p["type"] for p in _listed(admin_session, fresh_app)].count(provider_type) == 1


def test_a_removed_provider_can_be_added_again(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    first = _add(admin_session, fresh_app, "anon-user")

    second = _add(admin_session, fresh_app, "anon-user")

    assert second["_id"] != first["_id"]


def test_the_api_key_provider_takes_no_configuration(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    provider = admin_session.provider(fresh_app["_id"], "api-key")
    path = _providers_path(admin_session, fresh_app)
    assert_no_content(admin_session.delete(f"{path}/{provider['_id']}"))

    for config in [{"autoConfirm": True}, {"anything": 1}, {"a": {}}]:
        with subtests.test(config=config):
            response = admin_session.post(path, json={"type": "api-key", "config": config})

            assert_error(response, 400, "InvalidParameter", says="no configuration options")
    assert _listed(admin_session, fresh_app) == []


def test_the_api_key_provider_accepts_an_empty_configuration(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    created = _add(admin_session, fresh_app, "api-key", config={})

    assert created["config"] == {}


def test_the_anonymous_provider_takes_no_configuration_either(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"type": "anon-user", "config": {"x": True}})

    assert_error(response, 400, "InvalidParameter", says="no configuration options")


@pytest.mark.parametrize(("config", "says"), [
    ({"noSuchOption": True}, "noSuchOption"),
    ({"autoConfirm": "yes"}, "autoConfirm"),
])
def test_a_local_userpass_configuration_is_checked_field_by_field(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], config: dict[str, Any], says: str
) -> None:
    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"type": "local-userpass", "config": config})

    assert_error(response, 400, "InvalidParameter", says=says)


def test_an_unsupported_type_is_an_invalid_parameter_naming_it(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for provider_type in ["custom-token", "oauth2-google", "API-KEY", "", "nul\u0000"]:
        with subtests.test(provider_type=provider_type):
            response = admin_session.post(_providers_path(admin_session, fresh_app),
                                          json={"type": provider_type})

            assert_error(response, 400, "InvalidParameter", says=f"'{provider_type}'")


def test_a_provider_without_a_type_is_a_missing_parameter(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    response = admin_session.post(_providers_path(admin_session, fresh_app),
                                  json={"name": "anon-user"})

    assert_error(response, 400, "MissingParameter", says="type")


def test_disabled_must_be_a_json_boolean(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for disabled in ["yes", "false", 0, 1, None]:
        with subtests.test(disabled=disabled):
            response = admin_session.post(_providers_path(admin_session, fresh_app),
                                          json={"type": "anon-user", "disabled": disabled})

            assert_error(response, 400, "InvalidParameter", says="disabled")


# --- get, patch, delete, enable, disable ------------------------------------------------


def test_a_missing_or_malformed_provider_id_is_auth_provider_not_found(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for provider_id in ["nope", "0" * 24, "F" * 24]:
        with subtests.test(provider_id=provider_id):
            path = f"{_providers_path(admin_session, fresh_app)}/{provider_id}"

            assert_error(admin_session.get(path), 404, "AuthProviderNotFound")
            assert_error(admin_session.patch(path, json={"disabled": True}), 404,
                         "AuthProviderNotFound")
            assert_error(admin_session.delete(path), 404, "AuthProviderNotFound")
            assert_error(admin_session.put(f"{path}/enable"), 404, "AuthProviderNotFound")
            assert_error(admin_session.put(f"{path}/disable"), 404, "AuthProviderNotFound")


def test_another_apps_provider_is_not_found_through_this_app(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    other = admin_session.create_app("elsewhere")
    theirs = admin_session.provider(other["_id"], "api-key")
    path = f"{_providers_path(admin_session, fresh_app)}/{theirs['_id']}"

    assert_error(admin_session.get(path), 404, "AuthProviderNotFound")
    assert_error(admin_session.put(f"{path}/enable"), 404, "AuthProviderNotFound")
    assert_error(admin_session.delete(path), 404, "AuthProviderNotFound")
    assert admin_session.provider(other["_id"], "api-key")["disabled"] is True


def test_enable_and_disable_are_idempotent(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(fresh_app["_id"], "api-key")
    path = f"{_providers_path(admin_session, fresh_app)}/{provider['_id']}"

    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/enable"))
    assert admin_session.provider(fresh_app["_id"], "api-key")["disabled"] is False
    for _ in range(2):
        assert_no_content(admin_session.put(f"{path}/disable"))
    assert admin_session.provider(fresh_app["_id"], "api-key")["disabled"] is True


def test_patching_the_configuration_replaces_it(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    created = _add(admin_session, fresh_app, "local-userpass", config={"autoConfirm": True})
    path = f"{_providers_path(admin_session, fresh_app)}/{created['_id']}"

    assert_no_content(admin_session.patch(path, json={"config": {"runResetFunction": False}}))

    body = assert_json(admin_session.get(path), 200)
    assert body["config"] == {"runResetFunction": False}
    assert body["disabled"] is False


def test_patching_with_the_name_equal_to_the_type_is_accepted(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(fresh_app["_id"], "api-key")
    path = f"{_providers_path(admin_session, fresh_app)}/{provider['_id']}"

    assert_no_content(admin_session.patch(path, json={"name": "api-key", "type": "api-key",
                                                      "disabled": False}))

    assert admin_session.provider(fresh_app["_id"], "api-key")["disabled"] is False


def test_a_patch_that_breaks_a_rule_is_refused_and_changes_nothing(
    admin_session: InProcessAdmin, fresh_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    provider = admin_session.provider(fresh_app["_id"], "api-key")
    path = f"{_providers_path(admin_session, fresh_app)}/{provider['_id']}"

    for patch, says in [
        ({"name": "renamed"}, "name must be the same as its type"),
        ({"type": "anon-user"}, "type cannot be changed"),
        ({"config": {"autoConfirm": True}}, "no configuration options"),
        ({"_id": "0" * 24}, "_id"),
        ({"_id": provider["_id"].upper(), "disabled": False}, "_id"),
        ({"disabled": "true"}, "disabled"),
        ({"metadata_fields": {"name": "email"}}, "metadata_fields"),
        ({"disabled": False, "name": "renamed"}, "name must be the same as its type"),
    ]:
        with subtests.test(patch=patch):
            response = admin_session.patch(path, json=patch)

            assert_error(response, 400, "InvalidParameter", says=says)
            assert assert_json(admin_session.get(path), 200) == {**provider, "config": {}}


# --- groups the admin was not granted --------------------------------------------------


def test_another_groups_providers_are_out_of_reach(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, fresh_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(fresh_app["_id"], "api-key")
    providers = _providers_path(admin_session, fresh_app)
    path = f"{providers}/{provider['_id']}"
    other = new_admin(app, client, "other-group")
    through_own_group = f"{other.app_path(fresh_app['_id'])}/auth_providers"

    assert_error(other.get(providers), 404, "GroupNotFound")
    assert_error(other.post(providers, json={"type": "anon-user"}), 404, "GroupNotFound")
    assert_error(other.get(path), 404, "GroupNotFound")
    assert_error(other.patch(path, json={"disabled": False}), 404, "GroupNotFound")
    assert_error(other.put(f"{path}/enable"), 404, "GroupNotFound")
    assert_error(other.put(f"{path}/disable"), 404, "GroupNotFound")
    assert_error(other.delete(path), 404, "GroupNotFound")
    assert_error(other.get(through_own_group), 404, "AppNotFound")
    assert_error(other.put(f"{through_own_group}/{provider['_id']}/enable"), 404, "AppNotFound")

    assert _listed(admin_session, fresh_app) == [provider]
