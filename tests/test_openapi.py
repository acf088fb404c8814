"""openapi.yaml is the contract: it is what the code generates, it is valid OpenAPI, and
every operation says how it fails, how it is authenticated and what it does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from app import storage
from tests.support.app import make_app

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.yaml"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}

# Operations anyone may call: they are how a caller gets a token in the first place,
# or they reveal nothing that needs one.
PUBLIC_OPERATIONS = {
    ("GET", "/healthz"),
    # Issue 14: what any backend reads to verify client tokens.
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/healthz/live"),
    # Issue 15: Prometheus metrics, public unless the operator sets METRICS_TOKEN (then the
    # operation's second security requirement, metricsToken, applies).
    ("GET", "/metrics"),
    ("POST", "/api/admin/v3.0/auth/providers/mongodb-cloud/login"),
    ("GET", "/api/client/v2.0/app/{clientAppId}/location"),
    ("POST", "/api/client/v2.0/app/{clientAppId}/auth/providers/{provider}/login"),
    ("POST", "/api/client/v2.0/app/{clientAppId}/auth/providers/local-userpass/register"),
    # How to log in to the Admin API, as the official document says (security: []).
    ("GET", "/api/admin/v3.0/auth/providers"),
    # The email workflows, which answer a 400 naming the admin call to use instead.
    *(("POST", f"/api/client/v2.0/app/{{clientAppId}}/auth/providers/local-userpass/{action}")
      for action in ("confirm", "confirm/send", "confirm/call", "reset", "reset/send",
                     "reset/call")),
}

# Operations that have no error to document: the liveness probe answers whenever the
# process answers at all, and asks nothing that could fail; the Admin API's list of its
# login providers is a constant.
NEVER_FAIL = {("GET", "/healthz/live"), ("GET", "/api/admin/v3.0/auth/providers"),
              ("GET", "/.well-known/jwks.json"), ("GET", "/.well-known/openid-configuration")}

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def generated_yaml(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The spec the code generates, serialised exactly as `flask openapi write` does."""
    tmp = tmp_path_factory.mktemp("openapi")
    app = make_app(f"sqlite:///{tmp / 'openapi.db'}", tmp / "instance")
    try:
        api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
        yield yaml.dump(api.spec.to_dict())
    finally:
        storage.close_all()


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMMITTED.read_text())
    return loaded


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def test_committed_openapi_yaml_is_what_the_code_generates(generated_yaml: str) -> None:
    committed = COMMITTED.read_text() if COMMITTED.exists() else ""
    assert committed == generated_yaml, (
        "openapi.yaml differs from the spec the code generates: run scripts/openapi "
        "and commit the result"
    )


def test_openapi_yaml_is_a_valid_openapi_document(spec: dict[str, Any]) -> None:
    validate(spec)


def test_every_operation_documents_an_error_response(spec: dict[str, Any]) -> None:
    undocumented = [
        f"{method} {path}" for method, path, operation in operations(spec)
        if not any(int(status) >= 400 for status in operation["responses"])
        and (method, path) not in NEVER_FAIL
    ]
    assert undocumented == []


def test_every_error_response_is_the_error_envelope(spec: dict[str, Any]) -> None:
    named = spec["components"]["responses"]
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            if "$ref" in response:
                response = named[response["$ref"].rsplit("/", 1)[1]]
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_every_operation_but_the_public_ones_asks_for_a_token(spec: dict[str, Any]) -> None:
    schemes = set(spec["components"]["securitySchemes"])
    unsecured = []
    for method, path, operation in operations(spec):
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        requirements = operation.get("security") or []
        if not requirements or any(not requirement for requirement in requirements):
            unsecured.append(f"{method} {path}")
            continue
        for requirement in requirements:
            assert set(requirement) <= schemes, f"{method} {path}: unknown scheme"
        assert "401" in operation["responses"], f"{method} {path} does not document its 401"
    assert unsecured == []


def test_the_public_operations_exist(spec: dict[str, Any]) -> None:
    present = {(method, path) for method, path, _ in operations(spec)}
    assert {
        ("GET", "/healthz"),
        ("POST", "/api/admin/v3.0/auth/providers/mongodb-cloud/login"),
    } <= present


def test_every_operation_has_a_summary(spec: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}" for method, path, operation in operations(spec)
        if not operation.get("summary", "").strip()
    ]
    assert missing == []


def test_every_operation_has_its_own_lower_camel_case_operation_id(spec: dict[str, Any]) -> None:
    # Generated clients name their methods after it (tests/test_generated_client.py).
    operation_ids = [operation.get("operationId", "") for _, _, operation in operations(spec)]
    assert [name for name in operation_ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*",
                                                               name)] == []
    assert len(set(operation_ids)) == len(operation_ids)


def test_every_path_parameter_is_named_in_camel_case(spec: dict[str, Any]) -> None:
    # As the official Admin API document names them: {groupId}, {appId}, {apiKeyId}, ...
    names = {name for path in spec["paths"] for name in re.findall(r"{(\w+)}", path)}
    assert {name for name in names if "_" in name or not name[0].islower()} == set()
