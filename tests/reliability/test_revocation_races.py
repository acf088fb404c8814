"""Revocation holds against logins racing it.

Many logins with one credential are released at the instant an admin (or the key's owner)
revokes it: disables or deletes the key, disables its user, or disables the api-key
provider. Whatever order the servers run them in, no session that a login opened
survives: every token handed out is refused afterwards, and stays refused when the key,
user or provider is enabled again. Before the fix a login read the key before its write
transaction and never again, so a session created between the revocation's commit and
the login's stayed refreshable (1-3 of ~90 were seen to).

Live servers: four workers on one SQLite file, and two servers (four workers
each) sharing one PostgreSQL, requests alternating between them. Each race is run a few
rounds; a round releases the revocation amid its logins.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.reliability.deployment import (
    ADMIN,
    CLIENT,
    Answer,
    Deployment,
    PreparedRequest,
    RealmApp,
    log_in,
    run_together,
)
from tests.support.admin_api import LiveAdmin

ROUNDS = 4
LOGINS_PER_ROUND = 40


@pytest.fixture
def server_env() -> dict[str, str]:
    # Throttling off: the logins that lose a race are failures from one address, and the
    # server answers every request it accepted in whatever order its workers take them,
    # so over four rounds they can be enough to have the address refused (429). That is
    # throttling doing its job (it has tests of its own); here it would hide the race.
    return {"THROTTLE_FAILURES_PER_ADDRESS": "0", "THROTTLE_FAILURES_PER_APP": "0"}


@dataclass
class Race:
    """One credential, the request that revokes it and (if any) the one that undoes it."""

    login_body: dict[str, str]
    revoke: tuple[str, str, str]  # method, path, token
    undo: tuple[str, str, str] | None


Setup = Callable[[LiveAdmin, RealmApp], Race]


def _server_key(admin: LiveAdmin, realm: RealmApp) -> dict[str, str]:
    key: dict[str, str] = realm.new_server_key(f"racer-{uuid.uuid4().hex[:6]}")
    return key


def _key_disabled(admin: LiveAdmin, realm: RealmApp) -> Race:
    key = _server_key(admin, realm)
    path = f"{ADMIN}{realm.path}/api_keys/{key['_id']}"
    return Race({"key": key["key"]}, ("PUT", f"{path}/disable", admin.access_token),
                ("PUT", f"{path}/enable", admin.access_token))


def _key_deleted(admin: LiveAdmin, realm: RealmApp) -> Race:
    key = _server_key(admin, realm)
    return Race({"key": key["key"]},
                ("DELETE", f"{ADMIN}{realm.path}/api_keys/{key['_id']}", admin.access_token),
                None)


def _user_disabled(admin: LiveAdmin, realm: RealmApp) -> Race:
    key = _server_key(admin, realm)
    server_user = realm.login_with_key(key["key"])["user_id"]
    path = f"{ADMIN}{realm.path}/users/{server_user}"
    return Race({"key": key["key"]}, ("PUT", f"{path}/disable", admin.access_token),
                ("PUT", f"{path}/enable", admin.access_token))


def _user_key_disabled_by_its_owner(admin: LiveAdmin, realm: RealmApp) -> Race:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    realm.register(email)
    owner = realm.login_with_password(email)
    created = realm.create_user_key(owner["refresh_token"], "laptop")
    assert created.status_code == 201, created.text
    path = f"{CLIENT}/auth/api_keys/{created.json()['_id']}"
    return Race({"key": created.json()["key"]},
                ("PUT", f"{path}/disable", owner["refresh_token"]),
                ("PUT", f"{path}/enable", owner["refresh_token"]))


def _provider_disabled(admin: LiveAdmin, realm: RealmApp) -> Race:
    key = _server_key(admin, realm)
    providers = admin.request("GET", f"{realm.path}/auth_providers").json()
    provider_id = next(p["_id"] for p in providers if p["type"] == "api-key")
    path = f"{ADMIN}{realm.path}/auth_providers/{provider_id}"
    return Race({"key": key["key"]}, ("PUT", f"{path}/disable", admin.access_token),
                ("PUT", f"{path}/enable", admin.access_token))


RACES: dict[str, Setup] = {
    "server key disabled": _key_disabled,
    "server key deleted": _key_deleted,
    "server user disabled": _user_disabled,
    "user key disabled by its owner": _user_key_disabled_by_its_owner,
    "api-key provider disabled": _provider_disabled,
}


def _race(deployment: Deployment, realm: RealmApp, race: Race) -> tuple[list[Answer], Answer]:
    """Release the logins and the revocation together; the revocation sits in the middle."""
    login_path = f"{CLIENT}/app/{realm.client_app_id}/auth/providers/api-key/login"
    logins = [PreparedRequest(deployment, "POST", login_path, token="", body=race.login_body)
              for _ in range(LOGINS_PER_ROUND)]
    method, path, token = race.revoke
    revoke = PreparedRequest(deployment, method, path, token=token, body=None)
    half = LOGINS_PER_ROUND // 2
    answers = run_together([*logins[:half], revoke, *logins[half:]])
    return [*answers[:half], *answers[half + 1:]], answers[half]


def _assert_ended(deployment: Deployment, tokens: list[dict[str, str]]) -> None:
    for session in tokens:
        refreshed = deployment.request("POST", f"{CLIENT}/auth/session",
                                       token=session["refresh_token"])
        assert refreshed.status_code == 401, refreshed.text
        assert refreshed.json()["error_code"] == "InvalidSession"
        profile = deployment.request("GET", f"{CLIENT}/auth/profile",
                                     token=session["access_token"])
        assert profile.status_code == 401, profile.text


@pytest.mark.parametrize("revocation", list(RACES))
def test_no_session_of_a_login_racing_a_revocation_survives_it(
    deployment: Deployment, revocation: str
) -> None:
    admin = log_in(deployment)
    realm = RealmApp.create(admin, f"race-{uuid.uuid4().hex[:8]}",
                             providers=("api-key", "local-userpass"))
    logged_in = 0
    for _ in range(ROUNDS):
        race = RACES[revocation](admin, realm)
        logins, revoked = _race(deployment, realm, race)

        assert revoked.status_code == 204, revoked.text
        assert all(answer.status_code in (200, 401) for answer in logins), [
            answer.text for answer in logins if answer.status_code not in (200, 401)]
        sessions = [answer.json() for answer in logins if answer.status_code == 200]
        logged_in += len(sessions)
        _assert_ended(deployment, sessions)
        if race.undo is not None:  # enabling again brings no raced session back
            method, path, token = race.undo
            assert deployment.request(method, path, token=token).status_code == 204
            _assert_ended(deployment, sessions)
    assert logged_in > 0  # some logins did win the race: the revocation had work to do
