"""A client generated from openapi.yaml runs the admin flow against a live server.

openapi.yaml promises what the API does; people generate clients from it. This test
generates one with openapi-python-client (warnings about the spec are failures), then uses
only that client: log in, read the group, create an app, enable its api-key provider, and
create, list and delete a server key. A change to the API that a generated client cannot
follow (a path, a status code, a renamed or retyped field) fails here.

The generated function names come from each operation's `operationId`, or, where the spec
has none (as now), from its method and path: `post_api_admin_v3_0_groups_group_id_apps`.
Giving operations an `operationId` renames them, which breaks code written against an
earlier generated client; update this test when that is the intent.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

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


def operation(tag: str, name: str) -> Any:
    """The generated module of one operation, e.g. ("admin_api_keys", "get_api_...")."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_the_generated_client_runs_the_admin_flow(
    generated: ModuleType, live_server: LiveServer
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    login = operation("admin_session", "post_api_admin_v3_0_auth_providers_mongodb_cloud_login")
    profile = operation("admin_session", "get_api_admin_v3_0_auth_profile")
    create_app = operation("admin_apps", "post_api_admin_v3_0_groups_group_id_apps")
    list_providers = operation(
        "admin_auth_providers", "get_api_admin_v3_0_groups_group_id_apps_app_id_auth_providers"
    )
    enable_provider = operation(
        "admin_auth_providers",
        "put_api_admin_v3_0_groups_group_id_apps_app_id_auth_providers_provider_id_enable",
    )
    create_key = operation(
        "admin_api_keys", "post_api_admin_v3_0_groups_group_id_apps_app_id_api_keys"
    )
    list_keys = operation(
        "admin_api_keys", "get_api_admin_v3_0_groups_group_id_apps_app_id_api_keys"
    )
    delete_key = operation(
        "admin_api_keys", "delete_api_admin_v3_0_groups_group_id_apps_app_id_api_keys_api_key_id"
    )

    # An undocumented status is an error: the spec must list every answer the flow gets.
    anonymous = generated.Client(base_url=live_server.base_url, raise_on_unexpected_status=True)
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
