"""Revocation holds across servers: what is revoked on server A fails on server B at once.

Two separate servers share one PostgreSQL. Disabling or deleting a key, disabling or
deleting a user, or logging out on A makes the affected logins, refreshes and every token
of the affected sessions fail on B in the very next request: B keeps no cache that could
keep a revoked key or session alive, because every token is checked against its session
row in the shared database. Sessions that were not affected keep working, so each
failure is the revocation's doing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.reliability.deployment import (
    ADMIN,
    CLIENT,
    PASSWORD,
    Deployment,
    RealmApp,
    log_in,
    running,
)
from tests.support.postgres import drop_database, new_database

pytestmark = pytest.mark.postgres

A, B = 0, 1
EMAIL = "ann@example.com"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[Deployment]:
    """Two servers, each its own gunicorn, sharing one PostgreSQL database."""
    database_url = new_database(postgres_url, f"revocation_{uuid.uuid4().hex[:12]}")
    with running(tmp_path_factory.mktemp("revocation"), database_url=database_url,
                 count=2) as servers:
        yield Deployment([server.base_url for server in servers])
    drop_database(database_url)


Tokens = dict[str, str]


@dataclass
class Scene:
    """An app with a server key and a user key, each with sessions opened on both servers."""

    realm: RealmApp
    server_key: dict[str, Any]
    server_key_sessions: list[Tokens]  # one opened on A, one on B
    bystander_session: Tokens  # another server key's: never affected
    ann_id: str
    ann_key: dict[str, Any]  # a user key of ann's
    ann_sessions: list[Tokens]  # her password session (A) and her key's session (B)

    @property
    def deployment(self) -> Deployment:
        return self.realm.deployment


@pytest.fixture
def scene(pair: Deployment) -> Scene:
    admin = log_in(pair, server=A)
    realm = RealmApp.create(admin, f"revoke-{uuid.uuid4().hex[:8]}",
                             providers=("api-key", "local-userpass"))
    server_key = realm.new_server_key("service", server=A)
    bystander = realm.new_server_key("bystander", server=A)
    realm.register(EMAIL, server=A)
    ann_password_session = realm.login_with_password(EMAIL, server=A)
    ann_key_answer = realm.create_user_key(ann_password_session["refresh_token"], "laptop",
                                           server=A)
    assert ann_key_answer.status_code == 201, ann_key_answer.text
    ann_key = ann_key_answer.json()
    return Scene(
        realm=realm,
        server_key=server_key,
        server_key_sessions=[realm.login_with_key(server_key["key"], server=A),
                             realm.login_with_key(server_key["key"], server=B)],
        bystander_session=realm.login_with_key(bystander["key"], server=B),
        ann_id=ann_password_session["user_id"],
        ann_key=ann_key,
        ann_sessions=[ann_password_session, realm.login_with_key(ann_key["key"], server=B)],
    )


# --- what B answers ----------------------------------------------------------------------


def _refresh_on_b(scene: Scene, tokens: Tokens) -> requests.Response:
    return scene.deployment.request("POST", f"{CLIENT}/auth/session", server=B,
                                    token=tokens["refresh_token"])


def _profile_on_b(scene: Scene, tokens: Tokens) -> requests.Response:
    return scene.deployment.request("GET", f"{CLIENT}/auth/profile", server=B,
                                    token=tokens["access_token"])


def _assert_ended_on_b(scene: Scene, *sessions: Tokens) -> None:
    """Every token of the sessions is refused on B: refresh and access alike."""
    for tokens in sessions:
        for answer in (_refresh_on_b(scene, tokens), _profile_on_b(scene, tokens)):
            assert answer.status_code == 401, answer.text
            assert answer.json()["error_code"] == "InvalidSession", answer.text


def _assert_alive_on_b(scene: Scene, *sessions: Tokens) -> None:
    for tokens in sessions:
        assert _refresh_on_b(scene, tokens).status_code == 201
        assert _profile_on_b(scene, tokens).status_code == 200


def _assert_login_refused_on_b(scene: Scene, provider: str, credentials: dict[str, str],
                               error_code: str) -> None:
    answer = scene.realm.login(provider, credentials, server=B)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error_code"] == error_code, answer.text


def _on_a(scene: Scene, method: str, path: str) -> None:
    answer = scene.realm.admin.request(method, f"{scene.realm.path}{path}", server=A)
    assert answer.status_code == 204, answer.text


# --- server keys -------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_server_key_revoked_on_a_fails_on_b_at_once(scene: Scene, action: str) -> None:
    key_path = f"/api_keys/{scene.server_key['_id']}"
    _assert_alive_on_b(scene, *scene.server_key_sessions)

    if action == "disable":
        _on_a(scene, "PUT", f"{key_path}/disable")
    else:
        _on_a(scene, "DELETE", key_path)

    _assert_login_refused_on_b(scene, "api-key", {"key": scene.server_key["key"]}, "AuthError")
    _assert_ended_on_b(scene, *scene.server_key_sessions)
    _assert_alive_on_b(scene, scene.bystander_session, *scene.ann_sessions)


# --- user keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_user_key_revoked_by_its_owner_on_a_fails_on_b_at_once(
    scene: Scene, action: str
) -> None:
    password_session, key_session = scene.ann_sessions
    key_path = f"{CLIENT}/auth/api_keys/{scene.ann_key['_id']}"
    method, path = ("PUT", f"{key_path}/disable") if action == "disable" else ("DELETE", key_path)

    answer = scene.deployment.request(method, path, server=A,
                                      token=password_session["refresh_token"])

    assert answer.status_code == 204, answer.text
    _assert_login_refused_on_b(scene, "api-key", {"key": scene.ann_key["key"]}, "AuthError")
    _assert_ended_on_b(scene, key_session)
    _assert_alive_on_b(scene, password_session, *scene.server_key_sessions)


# --- users -------------------------------------------------------------------------------


def test_a_user_disabled_on_a_cannot_log_in_or_use_any_session_on_b(scene: Scene) -> None:
    _on_a(scene, "PUT", f"/users/{scene.ann_id}/disable")

    _assert_login_refused_on_b(scene, "local-userpass",
                               {"username": EMAIL, "password": PASSWORD}, "UserDisabled")
    _assert_login_refused_on_b(scene, "api-key", {"key": scene.ann_key["key"]}, "UserDisabled")
    _assert_ended_on_b(scene, *scene.ann_sessions)
    _assert_alive_on_b(scene, *scene.server_key_sessions)


def test_a_user_deleted_on_a_cannot_log_in_or_use_any_session_on_b(scene: Scene) -> None:
    _on_a(scene, "DELETE", f"/users/{scene.ann_id}")

    _assert_login_refused_on_b(scene, "local-userpass",
                               {"username": EMAIL, "password": PASSWORD}, "InvalidPassword")
    _assert_login_refused_on_b(scene, "api-key", {"key": scene.ann_key["key"]}, "AuthError")
    _assert_ended_on_b(scene, *scene.ann_sessions)
    _assert_alive_on_b(scene, *scene.server_key_sessions)


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_server_user_revoked_on_a_takes_its_key_with_it_on_b(
    scene: Scene, action: str
) -> None:
    server_user = scene.server_key_sessions[0]["user_id"]
    if action == "disable":
        _on_a(scene, "PUT", f"/users/{server_user}/disable")
    else:
        _on_a(scene, "DELETE", f"/users/{server_user}")

    code = "UserDisabled" if action == "disable" else "AuthError"
    _assert_login_refused_on_b(scene, "api-key", {"key": scene.server_key["key"]}, code)
    _assert_ended_on_b(scene, *scene.server_key_sessions)
    _assert_alive_on_b(scene, scene.bystander_session)


# --- logging out -------------------------------------------------------------------------


def test_logging_out_on_a_ends_that_session_on_b_and_no_other(scene: Scene) -> None:
    on_a, on_b = scene.server_key_sessions

    answer = scene.deployment.request("DELETE", f"{CLIENT}/auth/session", server=A,
                                      token=on_a["refresh_token"])

    assert answer.status_code == 204, answer.text
    _assert_ended_on_b(scene, on_a)
    _assert_alive_on_b(scene, on_b)
    assert scene.realm.login("api-key", {"key": scene.server_key["key"]},
                             server=B).status_code == 200  # the key itself still works


def test_the_admin_logging_a_user_out_on_a_ends_all_her_sessions_on_b(scene: Scene) -> None:
    _on_a(scene, "PUT", f"/users/{scene.ann_id}/logout")

    _assert_ended_on_b(scene, *scene.ann_sessions)
    _assert_alive_on_b(scene, *scene.server_key_sessions)
    assert scene.realm.login("local-userpass", {"username": EMAIL, "password": PASSWORD},
                             server=B).status_code == 200


def test_an_admin_logging_out_on_a_ends_the_admin_session_on_b(pair: Deployment) -> None:
    admin = log_in(pair, server=A)
    bystander = log_in(pair, server=A)

    answer = pair.request("DELETE", f"{ADMIN}/auth/session", server=A, token=admin.refresh_token)

    assert answer.status_code == 204, answer.text
    for token, method, path in [(admin.refresh_token, "POST", "/auth/session"),
                                (admin.access_token, "GET", "/auth/profile")]:
        refused = pair.request(method, ADMIN + path, server=B, token=token)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error_code"] == "InvalidSession"
    assert bystander.request("GET", "/auth/profile", server=B).status_code == 200
