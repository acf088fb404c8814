"""Admin API transport (contract §0 and §3): whatever goes wrong, the answer is the error
envelope `{"error": str, "error_code": str}` labelled exactly `application/json`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.domain import apps as apps_domain
from tests.support.app import InProcessAdmin
from tests.support.http import ADMIN_BASE
from tests.support.wire import assert_error, assert_json

ANY_ID = "0123456789abcdef01234567"


def _headers(admin: InProcessAdmin, content_type: str | None = "application/json"
             ) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {admin.access_token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


# --- bodies ----------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_an_invalid_parameter(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for body in [b"{bad", b'{"name": }', b"\xff\xfe", b"{'name': 'x'}",
                 b'{"name": "x"} trailing']:
        with subtests.test(body=body):
            response = client.post(ADMIN_BASE + admin_session.apps_path, data=body,
                                   headers=_headers(admin_session))

            assert_error(response, 400, "InvalidParameter", says="not valid JSON")


def test_a_json_body_that_is_not_an_object_is_an_invalid_parameter(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for body in ["[]", "[{\"name\": \"x\"}]", "\"name\"", "42", "null", "true"]:
        with subtests.test(body=body):
            response = client.post(ADMIN_BASE + admin_session.apps_path, data=body,
                                   headers=_headers(admin_session))

            assert_error(response, 400, "InvalidParameter", says="JSON object")
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_a_json_body_sent_as_another_content_type_is_refused_saying_so(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for content_type in ["text/plain", "application/x-www-form-urlencoded",
                         "application/xml", "multipart/form-data; boundary=x", None]:
        with subtests.test(content_type=content_type):
            response = client.post(ADMIN_BASE + admin_session.apps_path,
                                   data=json.dumps({"name": "sneaky"}),
                                   headers=_headers(admin_session, content_type))

            assert_error(response, 400, "InvalidParameter", says="application/json")
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_json_with_or_without_a_charset_is_accepted(
    client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for i, content_type in enumerate(["application/json", "application/json;charset=utf-8",
                                      "application/json; charset=UTF-8"]):
        with subtests.test(content_type=content_type):
            response = client.post(ADMIN_BASE + admin_session.apps_path,
                                   data=json.dumps({"name": f"charset{i}"}),
                                   headers=_headers(admin_session, content_type))

            assert assert_json(response, 201)["name"] == f"charset{i}"


def test_a_body_with_no_content_type_and_nothing_in_it_is_a_missing_parameter(
    client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    response = client.post(ADMIN_BASE + admin_session.apps_path,
                           headers=_headers(admin_session, None))

    assert_error(response, 400, "MissingParameter", says="name")


def test_a_field_no_request_declares_is_ignored(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    # The rule (docs, "Request bodies"): as the original does, and as real clients
    # need (realm-js' importer creates apps with "sync"). Ignored means no effect at all.
    app_path = admin_session.app_path(enabled_app["_id"])
    assert_json(admin_session.post(f"{app_path}/auth_providers",
                                   json={"type": "local-userpass"}), 201)
    for path, body, status in [
        (admin_session.apps_path, {"name": "x", "extra": 1}, 201),
        (admin_session.apps_path, {"name": "y", "Name": "z", "_id": ANY_ID}, 201),
        (f"{app_path}/api_keys", {"name": "k", "key": "chosen-by-me"}, 201),
        (f"{app_path}/auth_providers", {"type": "anon-user", "id": ANY_ID, "_id": ANY_ID}, 201),
        (f"{app_path}/users", {"email": "a@example.com", "password": "secret1",
                               "role": "admin"}, 201),
    ]:
        with subtests.test(path=path, body=body):
            created = assert_json(admin_session.post(path, json=body), status)

            assert created["_id"] != ANY_ID
            assert "chosen-by-me" not in json.dumps(created)
            assert not {"extra", "Name", "id", "role"} & set(created)
    assert [app["name"] for app in assert_json(admin_session.get(admin_session.apps_path),
                                               200)] == ["keysapp", "x", "y"]


def test_a_field_no_login_declares_is_ignored(client: FlaskClient,
                                              admin_session: InProcessAdmin) -> None:
    response = client.post(f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login", json={
        "username": admin_session.public_key, "apiKey": admin_session.private_key,
        "password": "x",
    })

    assert set(assert_json(response, 200)) == {"access_token", "refresh_token", "user_id",
                                               "device_id"}


def test_a_field_of_the_wrong_type_is_an_invalid_parameter_naming_it(
    admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    for name in [7, None, ["myapp"], {"$oid": ANY_ID}, 1.5, False]:
        with subtests.test(name=name):
            response = admin_session.post(admin_session.apps_path, json={"name": name})

            assert_error(response, 400, "InvalidParameter", says="'name'")


# --- size --------------------------------------------------------------------------------------


def test_a_json_body_over_the_size_limit_is_413(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    body = json.dumps({"name": "x" * app.config["MAX_CONTENT_LENGTH"]})

    response = client.post(ADMIN_BASE + admin_session.apps_path, data=body,
                           headers=_headers(admin_session))

    assert_error(response, 413, "InvalidParameter", says="too large")
    assert assert_json(admin_session.get(admin_session.apps_path), 200) == []


def test_any_body_over_the_size_limit_is_413_whatever_the_endpoint_reads(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, subtests: pytest.Subtests
) -> None:
    created = admin_session.create_app("sized")
    provider = admin_session.provider(created["_id"], "api-key")
    enable = f"{admin_session.app_path(created['_id'])}/auth_providers/{provider['_id']}/enable"
    oversized = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)

    for method, path, content_type, token in [
        ("post", admin_session.apps_path, "text/plain", admin_session.access_token),
        ("put", enable, "application/json", admin_session.access_token),
        ("post", "/auth/session", "application/json", admin_session.refresh_token),
        ("post", "/auth/providers/mongodb-cloud/login", "application/json", ""),
    ]:
        with subtests.test(method=method, path=path):
            response = getattr(client, method)(ADMIN_BASE + path, data=oversized, headers={
                "Authorization": f"Bearer {token}", "Content-Type": content_type,
            })

            assert_error(response, 413, "InvalidParameter", says="too large")
    assert admin_session.provider(created["_id"], "api-key")["disabled"] is True


def test_a_body_just_under_the_limit_is_read(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin
) -> None:
    body = json.dumps({"name": "fits"})
    padded = body[:-1] + " " * (app.config["MAX_CONTENT_LENGTH"] - len(body)) + "}"

    response = client.post(ADMIN_BASE + admin_session.apps_path, data=padded,
                           headers=_headers(admin_session))

    assert assert_json(response, 201)["name"] == "fits"


# --- malformed ids are a 404 of that resource ------------------------------------------------


MALFORMED_IDS = ["x", "0" * 23, "0" * 25, "z" * 24, ANY_ID.upper(), "null", "%20", "..", "%00"]


@pytest.mark.parametrize(("template", "code"), [
    ("/groups/{bad}/apps", "GroupNotFound"),
    ("/groups/{group}/apps/{bad}", "AppNotFound"),
    ("/groups/{group}/apps/{bad}/api_keys", "AppNotFound"),
    ("/groups/{group}/apps/{app}/auth_providers/{bad}", "AuthProviderNotFound"),
    ("/groups/{group}/apps/{app}/api_keys/{bad}", "APIKeyNotFound"),
    ("/groups/{group}/apps/{app}/users/{bad}", "UserNotFound"),
])
def test_a_malformed_id_in_a_path_is_a_404_of_that_resource(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests,
    template: str, code: str,
) -> None:
    for bad in MALFORMED_IDS:
        with subtests.test(id=bad):
            path = template.format(bad=bad, group=admin_session.group_id, app=enabled_app["_id"])

            assert_error(admin_session.get(path), 404, code)


# --- routes ----------------------------------------------------------------------------------


def test_an_unknown_route_is_not_found_in_the_envelope(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for path in ["/nowhere", "/groups", "/api/admin/v3.0",
                 "/groups/{group}/apps/{app}/functions",
                 "/groups/{group}/apps/{app}/api_keys/{id}/rotate"]:
        with subtests.test(path=path):
            full = path.format(group=admin_session.group_id, app=enabled_app["_id"], id=ANY_ID)

            assert_error(admin_session.get(full), 404, "NotFound")


def test_an_unknown_route_outside_the_apis_is_not_found_in_the_envelope(
    client: FlaskClient,
) -> None:
    assert_error(client.get("/api/admin/v2.0/auth/profile"), 404, "NotFound")


def test_a_known_route_with_the_wrong_method_is_refused_in_the_envelope(
    client: FlaskClient, admin_session: InProcessAdmin, enabled_app: dict[str, Any],
    subtests: pytest.Subtests,
) -> None:
    for method, path in [("delete", "/auth/profile"), ("put", "/auth/session"),
                         ("patch", "/groups/{group}/apps/{app}"),
                         ("get", "/groups/{group}/apps/{app}/api_keys/{id}/enable"),
                         ("get", "/auth/providers/mongodb-cloud/login")]:
        with subtests.test(method=method, path=path):
            full = path.format(group=admin_session.group_id, app=enabled_app["_id"], id=ANY_ID)

            response = getattr(client, method)(ADMIN_BASE + full,
                                               headers=_headers(admin_session))

            assert_error(response, 405, "MethodNotAllowed")


def _admin_routes(app: Flask) -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(ADMIN_BASE) or rule.rule.endswith("/login"):
            continue
        if rule.rule == ADMIN_BASE + "/auth/providers":  # lists how to log in: open to all
            continue
        path = rule.rule[len(ADMIN_BASE):]
        for argument in rule.arguments:
            path = path.replace(f"<string:{argument}>", ANY_ID)
        routes.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return routes


def test_every_admin_route_but_login_wants_a_session(
    app: Flask, client: FlaskClient, subtests: pytest.Subtests
) -> None:
    routes = _admin_routes(app)
    assert len(routes) >= 28  # one per method and path of contract §2, login aside

    for method, path in routes:
        with subtests.test(method=method, path=path):
            response = getattr(client, method.lower())(ADMIN_BASE + path)

            assert_error(response, 401, "InvalidSession")


# --- the envelope itself ---------------------------------------------------------------------


def test_an_unexpected_failure_is_a_500_in_the_envelope_that_reveals_nothing(
    admin_session: InProcessAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("secret internal detail: /srv/db password=hunter2")

    monkeypatch.setattr(apps_domain, "list_apps", broken)

    message = assert_error(admin_session.get(admin_session.apps_path), 500,
                           "InternalServerError")
    assert "hunter2" not in message
    assert "internal" in message.lower()


def test_success_responses_are_labelled_exactly_application_json(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    path = admin_session.app_path(enabled_app["_id"])
    for response in (
        admin_session.get("/auth/profile"),
        admin_session.get(admin_session.apps_path),
        admin_session.get(f"{path}/auth_providers"),
        admin_session.create_server_key(enabled_app["_id"], "label"),
        admin_session.get(f"{path}/users"),
    ):
        assert response.status_code in (200, 201)
        assert response.headers["Content-Type"] == "application/json"


def test_a_204_carries_no_body_and_no_json_label(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    provider = admin_session.provider(enabled_app["_id"], "api-key")

    response = admin_session.put(
        f"{admin_session.app_path(enabled_app['_id'])}/auth_providers/{provider['_id']}/enable"
    )

    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
