"""Fuzzing from the contract: schemathesis generates requests from openapi.yaml, valid and
invalid, and sends them to a live server with valid credentials. No answer may be a 5xx,
break its response schema, use a status the operation does not document, or carry another
content type than documented.

Requests carry real ids (the group, the app, its client App ID; on reads, real keys, users
and providers), so they get past the 404s to the code behind. Destructive calls aim at
victims made for them; logging out and deleting oneself use a fresh session each time.
Bounded: a few examples per operation and mode, a deadline per example, no shrinking.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.deployment import Deployment, RealmApp, log_in, running
from tests.support.admin_api import AdminApi

CONTRACT = Path(__file__).resolve().parents[2] / "openapi.yaml"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
SETTINGS = hypothesis.settings(
    deadline=timedelta(seconds=20), database=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck), print_blob=True,
)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    # Throttling off: failed logins are most of what the fuzzer sends, and a 429 would
    # hide the code behind the check (throttling has tests of its own).
    env = {"THROTTLE_FAILURES_PER_ADDRESS": "0", "THROTTLE_FAILURES_PER_APP": "0"}
    with running(tmp_path_factory.mktemp("fuzz"), env=env) as servers:
        yield Deployment([server.base_url for server in servers])


class Targets:
    """Real ids to put into generated requests, and the tokens to send."""

    def __init__(self, deployment: Deployment) -> None:
        self.admin = log_in(deployment)
        self.realm = RealmApp.create(self.admin, "fuzzed",
                                           providers=("api-key", "anon-user", "local-userpass"))
        victim_app = RealmApp.create(self.admin, "victim")
        realm = self.realm
        realm.register("ann@example.com")
        self.ann = realm.login_with_password("ann@example.com")
        providers = self.admin.request("GET", f"{realm.path}/auth_providers").json()
        victim_user = self.admin.request("POST", f"{realm.path}/users", json={
            "email": "victim@example.com", "password": "victim-password"}).json()
        self.ids = {  # for reads: what stays
            "admin": {"apiKeyId": realm.new_server_key("kept")["_id"],
                      "userId": self.ann["user_id"], "providerId": providers[0]["_id"]},
            "client": {"apiKeyId": self._user_key(realm, "kept")},
        }
        self.victims = {  # for everything else: what may go
            "admin": {"apiKeyId": realm.new_server_key("victim")["_id"],
                      "userId": victim_user["_id"], "appId": victim_app.app_id,
                      "providerId": next(p["_id"] for p in providers
                                          if p["type"] == "local-userpass")},
            "client": {"apiKeyId": self._user_key(realm, "victim")},
        }

    def _user_key(self, realm: RealmApp, name: str) -> str:
        created = realm.create_user_key(self.ann["refresh_token"], name)
        assert created.status_code == 201, created.text
        key_id: str = created.json()["_id"]
        return key_id

    def aim(self, case: Case[Any]) -> None:
        """Put real ids into the path: the app's, and on reads the kept resources'."""
        api = "client" if case.operation.path.startswith("/api/client") else "admin"
        ids = self.ids[api] if case.method == "GET" else self.victims[api]
        parameters = case.path_parameters
        for name in parameters:
            if name == "groupId":
                parameters[name] = self.admin.group_id
            elif name == "clientAppId":
                parameters[name] = self.realm.client_app_id
            elif name == "appId" and not (case.method == "DELETE"
                                          and case.operation.path.endswith("{appId}")):
                parameters[name] = self.realm.app_id
            elif name in ids:
                parameters[name] = ids[name]

    def authorization(self, case: Case[Any]) -> dict[str, str]:
        """The token the operation asks for; a fresh session where the call ends it."""
        security = case.operation.definition.raw.get("security") or [{}]
        scheme = next(iter(security[0]), None)
        ends_session = case.method == "DELETE" and case.operation.path.endswith(
            ("/auth/session", "/auth/delete"))
        if scheme is None:
            return {}
        if scheme.startswith("admin"):
            admin = AdminApi(self.admin.http).log_in() if ends_session else self.admin
            token = admin.access_token if scheme == "adminAccessToken" else admin.refresh_token
        else:
            tokens: dict[str, Any] = (self.realm.login("anon-user", {}).json() if ends_session
                                      else self.ann)
            token = tokens["access_token" if scheme == "clientAccessToken" else "refresh_token"]
        return {"Authorization": f"Bearer {token}"}


def test_no_generated_request_gets_a_server_error_or_an_answer_outside_the_contract(
    deployment: Deployment,
) -> None:
    targets = Targets(deployment)
    base_url = deployment.base_urls[0]
    schema = schemathesis.openapi.from_path(CONTRACT)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the contract itself is valid
        operation = result.ok()
        for mode, examples in EXAMPLES.items():

            @hypothesis.settings(SETTINGS, max_examples=examples)
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: Case[Any]) -> None:
                targets.aim(case)
                case.call_and_validate(base_url=base_url, headers=targets.authorization(case),
                                       checks=CHECKS, timeout=30)

            try:
                fuzz()
            except hypothesis.errors.Unsatisfiable:
                pass  # nothing to make invalid (an operation without parameters or body)
            except (Exception, BaseExceptionGroup) as failure:  # schemathesis: a group
                failures[f"{operation.label} ({mode.value})"] = str(failure)[:2000]
    assert failures == {}, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
