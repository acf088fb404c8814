"""Clients generated from openapi.yaml: the same as the official document's, and working.

People generate clients from openapi.yaml, often from the official Admin API v3 document
first. A client generated from ours must be source-compatible with one generated from the
official document: the same modules (from the tags), the same functions (from the
`operationId`s) and the same arguments (from the path-parameter names, which other
generators keep as they are, and the query parameters). `OFFICIAL` below is what the
official document says about every operation of it that we implement, written here as
data because the tests never read the document itself; the first tests check openapi.yaml
and the client that openapi-python-client generates from it against it.

The last test then uses only that client against a live server: log in, read the group,
create an app, enable its api-key provider, and create, list and delete a server key. A
change to the API that a generated client cannot follow (a path, a status code, a renamed
or retyped field) fails here. Warnings about the spec are failures too.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
import keyword
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest
import yaml

from tests.support.http import ADMIN_BASE
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
PACKAGE = "appservices_generated_client"


def _generator() -> list[str]:
    beside_python = Path(sys.executable).with_name("openapi-python-client")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("openapi-python-client")
    if found is None:
        pytest.fail("openapi-python-client is not installed: pip install -e '.[test]'")
    return [found]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from openapi.yaml, importable for this module's tests."""
    folder = tmp_path_factory.mktemp("generated-client")
    config = folder / "config.yaml"
    # No post hooks: they would run ruff over the generated code, which tells nothing
    # about the spec and depends on ruff being on PATH.
    config.write_text("post_hooks: []\n")
    result = subprocess.run(
        [*_generator(), "generate", "--path", str(SPEC), "--output-path",
         str(folder / PACKAGE), "--meta", "none", "--config", str(config),
         "--fail-on-warning"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, (
        f"openapi-python-client could not generate a clean client from openapi.yaml:\n"
        f"{result.stdout}\n{result.stderr}"
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("generated-client-server")) as server:
        yield server


class Official(NamedTuple):
    """One operation of the official Admin API v3 document, as that document gives it."""

    operation_id: str
    tag: str
    method: str
    path: str  # under the Admin API base; its {placeholders} are the path parameters
    query: tuple[str, ...] = ()  # query parameters, all optional in the document
    body: bool = False  # whether it takes a JSON body (a required one, in the document)


GROUP = "/groups/{groupId}/apps"
APP = GROUP + "/{appId}"
OFFICIAL = (
    Official("adminLogin", "admin", "POST", "/auth/providers/mongodb-cloud/login", body=True),
    Official("adminCreateSession", "admin", "POST", "/auth/session"),
    Official("adminDeleteSession", "admin", "DELETE", "/auth/session"),
    Official("getAdminProfile", "admin", "GET", "/auth/profile"),
    Official("getAdminAuthProviders", "admin", "GET", "/auth/providers"),
    Official("adminListApplications", "apps", "GET", GROUP, query=("product",)),
    Official("adminCreateApplication", "apps", "POST", GROUP, query=("defaults", "product"),
             body=True),
    Official("adminGetApplication", "apps", "GET", APP),
    Official("adminDeleteApplication", "apps", "DELETE", APP),
    Official("adminListAuthProviders", "authproviders", "GET", APP + "/auth_providers"),
    Official("adminCreateAuthProvider", "authproviders", "POST", APP + "/auth_providers",
             body=True),
    Official("adminGetAuthProvider", "authproviders", "GET",
             APP + "/auth_providers/{providerId}"),
    Official("adminUpdateAuthProvider", "authproviders", "PATCH",
             APP + "/auth_providers/{providerId}", body=True),
    Official("adminDeleteAuthProvider", "authproviders", "DELETE",
             APP + "/auth_providers/{providerId}"),
    Official("adminEnableAuthProvider", "authproviders", "PUT",
             APP + "/auth_providers/{providerId}/enable"),
    Official("adminDisableAuthProvider", "authproviders", "PUT",
             APP + "/auth_providers/{providerId}/disable"),
    Official("adminListApiKeys", "apikeys", "GET", APP + "/api_keys"),
    Official("adminCreateApiKey", "apikeys", "POST", APP + "/api_keys", body=True),
    Official("adminGetApiKey", "apikeys", "GET", APP + "/api_keys/{apiKeyId}"),
    Official("adminDeleteApiKey", "apikeys", "DELETE", APP + "/api_keys/{apiKeyId}"),
    Official("adminEnableApiKey", "apikeys", "PUT", APP + "/api_keys/{apiKeyId}/enable"),
    Official("adminDisableApiKey", "apikeys", "PUT", APP + "/api_keys/{apiKeyId}/disable"),
    Official("adminListUsers", "users", "GET", APP + "/users", query=("after", "sort", "desc")),
    Official("adminCreateUser", "users", "POST", APP + "/users", body=True),
    Official("adminVerifyUserAccessToken", "users", "POST", APP + "/users/verify_token",
             body=True),
    Official("adminGetUser", "users", "GET", APP + "/users/{userId}"),
    Official("adminDeleteUser", "users", "DELETE", APP + "/users/{userId}"),
    Official("adminEnableUser", "users", "PUT", APP + "/users/{userId}/enable"),
    Official("adminDisableUser", "users", "PUT", APP + "/users/{userId}/disable"),
    Official("adminUserLogout", "users", "PUT", APP + "/users/{userId}/logout"),
    Official("adminListDevices", "users", "GET", APP + "/users/{userId}/devices"),
    Official("adminListPendingUsers", "users", "GET",
             APP + "/user_registrations/pending_users", query=("after",)),
    Official("adminConfirmPendingUser", "email", "POST",
             APP + "/user_registrations/by_email/{email}/confirm"),
    Official("adminDeletePendingEmailPasswordUser", "users", "DELETE",
             APP + "/user_registrations/by_email/{email}"),
    Official("adminGetRefreshTokenExpiration", "security", "GET",
             APP + "/security/refresh_token_expiration"),
    Official("adminSetRefreshTokenExpiration", "security", "PUT",
             APP + "/security/refresh_token_expiration", body=True),
    Official("adminGetLogs", "logs", "GET", APP + "/logs",
             query=("co_id", "errors_only", "user_id", "start_date", "end_date", "skip",
                    "limit", "type")),
)
# The official client also has `sync` (the parsed body alone) for these; we must too.
RETURNS_A_MODEL = {
    "adminLogin", "adminCreateSession", "getAdminProfile", "getAdminAuthProviders",
    "adminCreateApiKey", "adminGetApiKey", "adminListUsers", "adminCreateUser",
    "adminVerifyUserAccessToken", "adminGetUser", "adminListPendingUsers",
    "adminGetRefreshTokenExpiration",
}

# Still to come (issue 20: other branches add them). An entry whose operation or query
# parameter now exists fails the tests below: delete it then, so that this list never
# hides a regression.
NOT_YET_IMPLEMENTED: set[str] = set()
QUERY_NOT_YET_ACCEPTED: set[tuple[str, str]] = set()


def snake_case(name: str) -> str:
    """The Python name openapi-python-client gives `adminGetApiKey`: admin_get_api_key."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def argument(name: str) -> str:
    """The argument openapi-python-client makes of a parameter: `type` would hide a builtin."""
    snake = snake_case(name)
    return f"{snake}_" if snake in dir(builtins) or keyword.iskeyword(snake) else snake


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


def implemented() -> list[Official]:
    return [op for op in OFFICIAL if op.operation_id not in NOT_YET_IMPLEMENTED]


@pytest.mark.parametrize("official", implemented(), ids=lambda op: op.operation_id)
def test_openapi_yaml_describes_the_operation_as_the_official_document_does(
    contract: dict[str, Any], official: Official
) -> None:
    item = contract["paths"].get(ADMIN_BASE + official.path)
    assert item is not None and official.method.lower() in item, (
        f"{official.method} {official.path} is not in openapi.yaml"
    )
    operation = item[official.method.lower()]
    assert operation.get("operationId") == official.operation_id
    assert operation["tags"] == [official.tag]

    parameters = item.get("parameters", []) + operation.get("parameters", [])
    in_path = [p for p in parameters if p["in"] == "path"]
    assert [p["name"] for p in in_path] == path_parameters(official.path)
    assert all(p["required"] for p in in_path)

    query = {p["name"]: p.get("required", False) for p in parameters if p["in"] == "query"}
    missing = {name for name in official.query if name not in query}
    assert missing == {name for op_id, name in QUERY_NOT_YET_ACCEPTED
                       if op_id == official.operation_id}, (
        "QUERY_NOT_YET_ACCEPTED must list exactly the official query parameters still missing"
    )
    # Ours may take more than the official ones, but never demand what its clients lack.
    assert not any(query.values()), f"{official.operation_id}: a required query parameter"

    body = operation.get("requestBody")
    assert (body is not None) == official.body
    assert body is None or body.get("required") is True


def test_every_operation_still_to_come_is_still_missing(contract: dict[str, Any]) -> None:
    present = {
        operation.get("operationId")
        for item in contract["paths"].values() for operation in item.values()
        if isinstance(operation, dict)
    }
    assert present & NOT_YET_IMPLEMENTED == set(), "delete these from NOT_YET_IMPLEMENTED"


def test_no_other_operation_takes_an_official_operation_id(contract: dict[str, Any]) -> None:
    official = {op.operation_id: (op.method.lower(), ADMIN_BASE + op.path) for op in OFFICIAL}
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") in official:
                assert official[operation["operationId"]] == (method, path)


@pytest.mark.parametrize("official", implemented(), ids=lambda op: op.operation_id)
def test_the_generated_client_calls_the_operation_as_the_official_one_does(
    generated: ModuleType, official: Official
) -> None:
    # Generated from the official document, this is <package>.api.<tag>.<operationId>.
    module = importlib.import_module(
        f"{PACKAGE}.api.{official.tag}.{snake_case(official.operation_id)}"
    )
    functions = ["sync_detailed", "asyncio_detailed"]
    if official.operation_id in RETURNS_A_MODEL:
        functions += ["sync", "asyncio"]
    for name in functions:
        signature = inspect.signature(getattr(module, name))
        positional = [p.name for p in signature.parameters.values()
                      if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional == [argument(p) for p in path_parameters(official.path)], name
        keywords = {p.name: p for p in signature.parameters.values()
                    if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert "client" in keywords
        if official.body:
            assert keywords["body"].default is inspect.Parameter.empty, name
        else:
            assert "body" not in keywords, name
        for query in official.query:
            if (official.operation_id, query) in QUERY_NOT_YET_ACCEPTED:
                continue
            assert argument(query) in keywords, f"{name}: no {query}"
            assert keywords[argument(query)].default is not inspect.Parameter.empty, query
        required = {p for p, parameter in keywords.items()
                    if parameter.default is inspect.Parameter.empty}
        assert required <= {"client", "body"}, f"{name} demands more than the official one"


def operation(tag: str, name: str) -> Any:
    """The generated module of one operation, e.g. ("apikeys", "admin_get_api_key")."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_the_generated_client_runs_the_admin_flow(
    generated: ModuleType, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    login = operation("admin", "admin_login")
    profile = operation("admin", "get_admin_profile")
    create_app = operation("apps", "admin_create_application")
    list_providers = operation("authproviders", "admin_list_auth_providers")
    enable_provider = operation("authproviders", "admin_enable_auth_provider")
    create_key = operation("apikeys", "admin_create_api_key")
    list_keys = operation("apikeys", "admin_list_api_keys")
    delete_key = operation("apikeys", "admin_delete_api_key")

    # An undocumented status is an error: the spec must list every answer the flow gets.
    anonymous = generated.Client(base_url=live_server.base_url, raise_on_unexpected_status=True)
    # The server keeps connections alive: close the clients' pools, or their sockets are
    # left for the garbage collector (a ResourceWarning, which the suite treats as an error).
    request.addfinalizer(lambda: anonymous.get_httpx_client().close())
    logged_in = login.sync_detailed(
        client=anonymous,
        body=models.AdminLogin(username=ADMIN_PUBLIC_KEY, api_key=ADMIN_PRIVATE_KEY),
    )
    assert logged_in.status_code == 200, logged_in.content
    assert isinstance(logged_in.parsed, models.SessionTokens)
    admin = generated.AuthenticatedClient(
        base_url=live_server.base_url, token=logged_in.parsed.access_token,
        raise_on_unexpected_status=True,
    )
    request.addfinalizer(lambda: admin.get_httpx_client().close())

    me = profile.sync_detailed(client=admin)
    assert isinstance(me.parsed, models.AdminProfile), me.content
    group_id = me.parsed.roles[0].group_id

    made = create_app.sync_detailed(group_id, client=admin, body=models.AppCreate(name="genapp"))
    assert made.status_code == 201, made.content
    assert isinstance(made.parsed, models.App)
    app_id = made.parsed.field_id
    assert made.parsed.client_app_id.startswith("genapp-")

    providers = list_providers.sync_detailed(group_id, app_id, client=admin)
    assert providers.status_code == 200, providers.content
    api_key_provider = next(p for p in providers.parsed if p.type_ == "api-key")
    assert isinstance(api_key_provider, models.ProviderSummary)
    assert api_key_provider.disabled is True
    enabled = enable_provider.sync_detailed(group_id, app_id, api_key_provider.field_id,
                                            client=admin)
    assert enabled.status_code == 204, enabled.content

    created = create_key.sync_detailed(group_id, app_id, client=admin,
                                       body=models.ApiKeyCreate(name="backend"))
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.NewApiKey)
    assert created.parsed.key.startswith("ask_")
    assert (created.parsed.name, created.parsed.disabled) == ("backend", False)
    key_id = created.parsed.field_id

    listed = list_keys.sync_detailed(group_id, app_id, client=admin)
    assert listed.status_code == 200, listed.content
    assert [(k.field_id, k.name, k.disabled) for k in listed.parsed] == [(key_id, "backend", False)]
    assert all(isinstance(k, models.ApiKey) for k in listed.parsed)
    # The generated model would drop an unexpected field silently; the wire must not carry it.
    assert all("key" not in k for k in json.loads(listed.content))

    deleted = delete_key.sync_detailed(group_id, app_id, key_id, client=admin)
    assert deleted.status_code == 204, deleted.content
    assert list_keys.sync_detailed(group_id, app_id, client=admin).parsed == []
