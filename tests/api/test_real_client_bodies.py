"""Bodies real clients send are accepted (issue 20, items 1 and 2).

Two kinds of data drive these tests:

- what the official Admin API v3 document lets each request carry, written down here as
  field lists (our own summary of it, not a copy): the fullest body of each request must
  be accepted, and each field of the wrong type refused;
- what real clients send, copied from their source as data: realm-cli
  (internal/cloud/realm/app.go: the create body and the four listing queries),
  realm-core's test harness (test/object-store/util/sync/baas_admin_api.cpp, create_app)
  and realm-js' app importer (packages/realm-app-importer: AdminApiClient.ts and the
  providers its integration tests configure).

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.app import InProcessAdmin
from tests.support.wire import assert_error, assert_json, assert_no_content

# --- the official document, summarised --------------------------------------------------

# App creation (AppConstructor): each field, a value it allows, and a value of a wrong type.
APP_FIELDS: dict[str, tuple[Any, Any]] = {
    "location": ("DE-FF", 49),
    "provider_region": ("aws-eu-central-1", ["aws-eu-central-1"]),
    "deployment_model": ("LOCAL", True),
    "environment": ("production", {"name": "production"}),
    "template_id": ("triggers", 7),
    "data_source": ({"name": "mongodb-atlas", "type": "mongodb-atlas",
                     "config": {"clusterName": "Cluster0"}}, "Cluster0"),
}
# Values the document enumerates, with one it does not.
APP_ENUMS: dict[str, tuple[list[str], str]] = {
    "deployment_model": (["GLOBAL", "LOCAL"], "global"),
    "environment": (["", "development", "testing", "qa", "production"], "staging"),
    "location": (["US-VA", "US-OR", "DE-FF", "IE", "AU", "IN-MB", "SG", "BR-SP"], "EU"),
    "provider_region": (["aws-us-east-1", "azure-westeurope", "gcp-asia-south1"],
                        "aws-mars-1"),
}
# What a new app's response shows (AppInstance), besides the fields it was created with.
APP_RESPONSE_FIELDS = {"_id", "client_app_id", "domain_id", "group_id", "name", "location",
                       "provider_region", "deployment_model", "environment", "product",
                       "last_modified"}
# Listing: the products the document enumerates.
PRODUCTS = ["standard", "atlas", "data-api", "device-sync"]

# Provider creation and update (AuthProviderConstructor: the union of every provider's
# fields): each field, a value it allows here, and a value of a wrong type.
PROVIDER_FIELDS: dict[str, tuple[Any, Any]] = {
    "name": ("anon-user", 1),
    "type": ("anon-user", ["anon-user"]),
    "disabled": (False, "false"),
    "config": ({}, []),
    "secret_config": ({"clientSecret": "google-secret"}, "google-secret"),
    "redirect_uris": (["https://example.com/callback"], "https://example.com/callback"),
    "domain_restrictions": (["example.com"], "example.com"),
    "metadata_fields": ([{"required": True, "name": "email", "field_name": "mail"},
                         {"required": False, "name": "name"}],
                        {"name": "email"}),
}
# The local-userpass settings the document names, all of them.
LOCAL_USERPASS_CONFIG = {
    "autoConfirm": False,
    "emailConfirmationUrl": "https://example.com/confirm",
    "confirmEmailSubject": "Confirm your account",
    "runConfirmationFunction": False,
    "confirmationFunctionName": "confirmUser",
    "resetPasswordUrl": "https://example.com/reset",
    "resetPasswordSubject": "Reset your password",
    "runResetFunction": False,
    "resetFunctionName": "resetPassword",
}

# --- what real clients send ------------------------------------------------------------------

# realm-cli `app create` (AppMeta with omitempty; provider_region on the branch that
# added it; the defaults its flags fill in).
REALM_CLI_CREATE = {"name": "cli-app", "location": "US-VA", "provider_region": "aws-us-east-1",
                    "deployment_model": "GLOBAL", "environment": "development"}
REALM_CLI_CREATE_FROM_TEMPLATE = {
    "name": "cli-template", "location": "IE", "deployment_model": "LOCAL",
    "template_id": "flex-sync-guides.add-collaborators",
    "data_source": {"name": "mongodb-atlas", "type": "mongodb-atlas",
                    "config": {"clusterName": "Cluster0"}},
}
# realm-cli lists one product at a time: the standard ones with no query at all.
REALM_CLI_LIST_QUERIES = ["", "?product=atlas", "?product=data-api", "?product=device-sync"]

# realm-core's harness: the app, then its providers (the api-key one is enabled instead).
REALM_CORE_CREATE = {"name": "core-app"}
REALM_CORE_PROVIDERS: list[dict[str, Any]] = [
    {"type": "anon-user"},
    {"type": "local-userpass", "config": {
        "autoConfirm": True,
        "confirmEmailSubject": "",
        "emailConfirmationUrl": "http://localhost/confirmEmail",
        "resetPasswordSubject": "",
        "resetPasswordUrl": "http://localhost/resetPassword",
        "confirmationFunctionName": "confirmFunc",
        "confirmationFunctionId": "6b0d9aaa22c42d3d18fd8700",
        "runConfirmationFunction": False,
        "resetFunctionName": "resetFunc",
        "resetFunctionId": "6b0d9aaa22c42d3d18fd8701",
        "runResetFunction": False,
    }},
]
# Providers of types this service does not have: refused for their type, not their fields.
REALM_CORE_UNSUPPORTED_PROVIDERS: list[dict[str, Any]] = [
    {"type": "custom-function", "config": {"authFunctionName": "authFunc",
                                           "authFunctionId": "6b0d9aaa22c42d3d18fd8702"}},
    {"type": "custom-token",
     "config": {"audience": [], "signingAlgorithm": "HS256", "useJWKURI": False},
     "secret_config": {"signingKeys": ["customTokenKey"]},
     "disabled": False,
     "metadata_fields": [
         {"required": False, "name": "user_data.name", "field_name": "name"},
         {"required": True, "name": "user_data.occupation", "field_name": "occupation"},
         {"required": True, "name": "my_metadata.name", "field_name": "anotherName"},
     ]},
]

# realm-js' importer: the app, then each configured provider, POSTed when the app has
# none of its type and otherwise PATCHed as `{...provider, _id}`.
REALM_JS_CREATE = {"name": "js-app", "sync": {"development_mode_enabled": True}}
REALM_JS_PROVIDERS: list[dict[str, Any]] = [
    {"name": "anon-user", "type": "anon-user", "disabled": False},
    {"name": "api-key", "type": "api-key", "disabled": False},
    {"name": "local-userpass", "type": "local-userpass", "disabled": False,
     "config": {"autoConfirm": True, "resetPasswordUrl": "http://localhost/resetPassword"}},
]


def _providers_path(admin: InProcessAdmin, app: dict[str, Any]) -> str:
    return f"{admin.app_path(app['_id'])}/auth_providers"


def _create(admin: InProcessAdmin, body: dict[str, Any], query: str = "") -> dict[str, Any]:
    created: dict[str, Any] = assert_json(admin.post(admin.apps_path + query, json=body), 201)
    return created


# --- app creation ----------------------------------------------------------------------------


def test_the_fullest_app_the_document_allows_is_created_and_keeps_its_settings(
    admin_session: InProcessAdmin,
) -> None:
    body = {"name": "full", **{field: value for field, (value, _) in APP_FIELDS.items()}}

    created = _create(admin_session, body, "?defaults=true&product=standard")

    assert set(created) == APP_RESPONSE_FIELDS
    assert {field: created[field] for field in
            ("location", "provider_region", "deployment_model", "environment", "product")} == {
        "location": "DE-FF", "provider_region": "aws-eu-central-1",
        "deployment_model": "LOCAL", "environment": "production", "product": "standard",
    }
    assert assert_json(admin_session.get(admin_session.app_path(created["_id"])), 200) == created
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == [created]


@pytest.mark.parametrize(("source", "body"), [
    ("realm-cli", REALM_CLI_CREATE),
    ("realm-cli, from a template", REALM_CLI_CREATE_FROM_TEMPLATE),
    ("realm-core", REALM_CORE_CREATE),
    ("realm-js", REALM_JS_CREATE),
])
def test_the_app_each_real_client_creates_is_created_as_it_asked(
    admin_session: InProcessAdmin, source: str, body: dict[str, Any]
) -> None:
    created = _create(admin_session, body)

    assert set(created) == APP_RESPONSE_FIELDS
    for field in ("name", "location", "provider_region", "deployment_model", "environment"):
        if field in body:
            assert created[field] == body[field], (source, field)
    assert created["product"] == "standard"
    providers = assert_json(admin_session.get(_providers_path(admin_session, created)), 200)
    assert [(p["type"], p["disabled"]) for p in providers] == [("api-key", True)]


def test_an_app_created_without_settings_shows_what_apps_always_showed(
    admin_session: InProcessAdmin,
) -> None:
    created = _create(admin_session, {"name": "plain"})

    assert {field: created[field] for field in
            ("location", "provider_region", "deployment_model", "environment", "product")} == {
        "location": "US-VA", "provider_region": "aws-us-east-1", "deployment_model": "GLOBAL",
        "environment": "", "product": "standard",
    }


def test_a_missing_location_or_region_is_taken_from_the_other(
    admin_session: InProcessAdmin,
) -> None:
    from_region = _create(admin_session, {"name": "oregon", "provider_region": "aws-us-west-2"})
    from_location = _create(admin_session, {"name": "sydney", "location": "AU"})

    assert from_region["location"] == "US-OR"
    assert from_location["provider_region"] == "aws-ap-southeast-2"


def test_the_client_api_tells_sdks_the_location_and_deployment_model_the_app_was_given(
    client: FlaskClient, admin_session: InProcessAdmin,
) -> None:
    created = _create(admin_session, {"name": "local", "deployment_model": "LOCAL",
                                      "location": "SG"})

    response = client.get(
        f"/api/client/v2.0/app/{created['client_app_id']}/location")

    body = assert_json(response, 200)
    assert (body["location"], body["deployment_model"]) == ("SG", "LOCAL")


def test_every_enumerated_app_setting_is_accepted_and_others_are_refused(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    count = 0
    for field, (allowed, refused) in APP_ENUMS.items():
        for value in allowed:
            with subtests.test(field=field, value=value):
                count += 1
                created = _create(admin_session, {"name": f"enum{count}", field: value})
                assert created[field] == value
        with subtests.test(field=field, value=refused):
            response = admin_session.post(admin_session.apps_path,
                                          json={"name": "refused", field: refused})
            assert_error(response, 400, "InvalidParameter", says=f"'{field}'")
    names = [app["name"] for app in assert_json(admin_session.get(admin_session.apps_path), 200)]
    assert "refused" not in names


def test_an_app_field_of_the_wrong_type_is_refused_naming_it(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for field, (_, wrong) in APP_FIELDS.items():
        with subtests.test(field=field, value=wrong):
            response = admin_session.post(admin_session.apps_path,
                                          json={"name": "typed", field: wrong})

            assert_error(response, 400, "InvalidParameter", says=f"'{field}'")
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_an_unknown_product_to_create_is_refused(admin_session: InProcessAdmin) -> None:
    response = admin_session.post(admin_session.apps_path + "?product=games",
                                  json={"name": "games"})

    assert_error(response, 400, "InvalidParameter", says="product")


# --- listing by product ------------------------------------------------------------------


def test_realm_clis_four_queries_list_each_app_exactly_once(
    admin_session: InProcessAdmin,
) -> None:
    made = {product: _create(admin_session, {"name": f"app-{product}"}, f"?product={product}")
            for product in PRODUCTS}
    plain = _create(admin_session, {"name": "plain"})

    answers = [assert_json(admin_session.get(admin_session.apps_path + query), 200)
               for query in REALM_CLI_LIST_QUERIES]

    listed = [app["_id"] for answer in answers for app in answer]
    assert sorted(listed) == sorted([plain["_id"], *(app["_id"] for app in made.values())])
    assert [[app["product"] for app in answer] for answer in answers] == [
        ["standard", "standard"], ["atlas"], ["data-api"], ["device-sync"]]


def test_standard_defaults_and_no_product_list_the_same_apps(
    admin_session: InProcessAdmin,
) -> None:
    standard = _create(admin_session, {"name": "std"})
    _create(admin_session, {"name": "sync"}, "?product=device-sync")

    for query in ["", "?product=standard", "?product=defaults", "?product="]:
        assert assert_json(admin_session.get(admin_session.apps_path + query), 200) == [standard]


def test_several_products_at_once_list_the_apps_of_each(admin_session: InProcessAdmin) -> None:
    atlas = _create(admin_session, {"name": "triggers"}, "?product=atlas")
    data_api = _create(admin_session, {"name": "data"}, "?product=data-api")
    _create(admin_session, {"name": "std"})

    listed = assert_json(admin_session.get(admin_session.apps_path + "?product=atlas,data-api"),
                         200)

    assert listed == [atlas, data_api]


def test_an_unknown_product_to_list_is_refused(admin_session: InProcessAdmin) -> None:
    for query in ["?product=games", "?product=atlas,games", "?product=Standard"]:
        assert_error(admin_session.get(admin_session.apps_path + query), 400,
                     "InvalidParameter", says="product")


# --- providers ---------------------------------------------------------------------------


def test_the_fullest_provider_the_document_allows_is_created_and_keeps_its_metadata(
    admin_session: InProcessAdmin,
) -> None:
    app = _create(admin_session, {"name": "full"})
    body = {field: value for field, (value, _) in PROVIDER_FIELDS.items()}

    created = assert_json(admin_session.post(_providers_path(admin_session, app), json=body),
                          201)

    metadata = PROVIDER_FIELDS["metadata_fields"][0]
    assert created["metadata_fields"] == metadata
    assert not {"secret_config", "redirect_uris", "domain_restrictions"} & set(created)
    path = f"{_providers_path(admin_session, app)}/{created['_id']}"
    assert assert_json(admin_session.get(path), 200) == {
        "_id": created["_id"], "name": "anon-user", "type": "anon-user", "disabled": False,
        "config": {}, "metadata_fields": metadata,
    }


def test_every_local_userpass_setting_of_the_document_is_kept(
    admin_session: InProcessAdmin,
) -> None:
    app = _create(admin_session, {"name": "passwords"})

    created = assert_json(admin_session.post(_providers_path(admin_session, app), json={
        "type": "local-userpass", "config": LOCAL_USERPASS_CONFIG}), 201)

    assert created["config"] == LOCAL_USERPASS_CONFIG


def test_the_fullest_update_the_document_allows_is_applied(
    admin_session: InProcessAdmin,
) -> None:
    app = _create(admin_session, {"name": "update"})
    provider = admin_session.provider(app["_id"], "api-key")
    path = f"{_providers_path(admin_session, app)}/{provider['_id']}"
    body = {**{field: value for field, (value, _) in PROVIDER_FIELDS.items()},
            "name": "api-key", "type": "api-key", "_id": provider["_id"]}

    assert_no_content(admin_session.patch(path, json=body))

    assert assert_json(admin_session.get(path), 200) == {
        "_id": provider["_id"], "name": "api-key", "type": "api-key", "disabled": False,
        "config": {}, "metadata_fields": PROVIDER_FIELDS["metadata_fields"][0],
    }
    assert_no_content(admin_session.patch(path, json={"metadata_fields": []}))
    assert "metadata_fields" not in assert_json(admin_session.get(path), 200)


def test_a_provider_field_of_the_wrong_type_is_refused_on_create_and_update(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    app = _create(admin_session, {"name": "typed"})
    provider = admin_session.provider(app["_id"], "api-key")
    path = f"{_providers_path(admin_session, app)}/{provider['_id']}"
    wrong_entries: list[Any] = [[{"name": 5}], [{"name": ""}],
                                [{"name": "email", "required": "yes"}],
                                [{"name": "email", "field_name": 1}], ["email"]]
    for field, (_, wrong) in PROVIDER_FIELDS.items():
        for value in [wrong, *(wrong_entries if field == "metadata_fields" else [])]:
            with subtests.test(field=field, value=value):
                created = admin_session.post(_providers_path(admin_session, app),
                                             json={"type": "anon-user", field: value})
                assert_error(created, 400, "InvalidParameter", says=field)
                patched = admin_session.patch(path, json={field: value})
                assert_error(patched, 400, "InvalidParameter", says=field)
    with subtests.test(field="metadata_fields", value="no name"):
        assert_error(admin_session.patch(path, json={"metadata_fields": [{"required": True}]}),
                     400, "MissingParameter", says="metadata_fields.0.name")
    providers = assert_json(admin_session.get(_providers_path(admin_session, app)), 200)
    assert providers == [{**provider}]
    assert assert_json(admin_session.get(path), 200) == {**provider, "config": {}}


def test_metadata_text_with_control_characters_is_refused(admin_session: InProcessAdmin) -> None:
    app = _create(admin_session, {"name": "controls"})

    response = admin_session.post(_providers_path(admin_session, app), json={
        "type": "anon-user", "metadata_fields": [{"name": "email\r\nX-Injected: 1"}]})

    assert_error(response, 400, "InvalidParameter", says="metadata_fields.0.name")


def test_realm_cores_harness_sets_up_its_providers(admin_session: InProcessAdmin) -> None:
    app = _create(admin_session, REALM_CORE_CREATE)
    path = _providers_path(admin_session, app)

    for body in REALM_CORE_PROVIDERS:
        created = assert_json(admin_session.post(path, json=body), 201)
        assert created["config"] == body.get("config", {})
    api_key = admin_session.provider(app["_id"], "api-key")
    assert_no_content(admin_session.put(f"{path}/{api_key['_id']}/enable"))

    listed = assert_json(admin_session.get(path), 200)
    assert [(p["type"], p["disabled"]) for p in listed] == [
        ("api-key", False), ("anon-user", False), ("local-userpass", False)]


def test_providers_this_service_lacks_are_refused_for_their_type_not_their_fields(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    app = _create(admin_session, REALM_CORE_CREATE)
    for body in REALM_CORE_UNSUPPORTED_PROVIDERS:
        with subtests.test(type=body["type"]):
            response = admin_session.post(_providers_path(admin_session, app), json=body)

            message = assert_error(response, 400, "InvalidParameter",
                                   says=f"unsupported auth provider type '{body['type']}'")
            assert "field" not in message


def test_realm_js_importer_creates_or_patches_each_provider(
    admin_session: InProcessAdmin,
) -> None:
    app = _create(admin_session, REALM_JS_CREATE)
    path = _providers_path(admin_session, app)
    existing = {p["type"]: p["_id"] for p in assert_json(admin_session.get(path), 200)}

    for provider in REALM_JS_PROVIDERS:
        if provider["type"] in existing:
            provider_id = existing[provider["type"]]
            response = admin_session.patch(f"{path}/{provider_id}",
                                           json={**provider, "_id": provider_id})
            assert_no_content(response)
        else:
            assert_json(admin_session.post(path, json=provider), 201)

    listed = assert_json(admin_session.get(path), 200)
    assert [(p["type"], p["disabled"]) for p in listed] == [
        ("api-key", False), ("anon-user", False), ("local-userpass", False)]
    password = next(p for p in listed if p["type"] == "local-userpass")
    assert assert_json(admin_session.get(f"{path}/{password['_id']}"), 200)["config"] == \
        REALM_JS_PROVIDERS[2]["config"]


def test_a_patch_naming_another_provider_in_its_id_is_refused_and_changes_nothing(
    admin_session: InProcessAdmin,
) -> None:
    app = _create(admin_session, REALM_JS_CREATE)
    path = _providers_path(admin_session, app)
    anon = assert_json(admin_session.post(path, json={"type": "anon-user"}), 201)
    api_key = admin_session.provider(app["_id"], "api-key")

    response = admin_session.patch(f"{path}/{api_key['_id']}", json={
        "name": "api-key", "type": "api-key", "disabled": False, "_id": anon["_id"]})

    assert_error(response, 400, "InvalidParameter", says="_id")
    assert admin_session.provider(app["_id"], "api-key") == api_key
