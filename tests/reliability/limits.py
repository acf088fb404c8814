"""The key limits' races, run against any deployment: the servers of
test_limits_under_concurrency.py, and the whole topology of test_topology.py (HAProxy,
three servers, PgBouncer).

Many creators at one instant over 95 server keys (limit 100) or 15 user keys (limit 20):
exactly the limit is made, every refusal is LimitExceeded, and the database holds
nothing half-made.
"""

from __future__ import annotations

from collections import Counter

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
from tests.reliability.storage import Inventory

SERVER_KEY_LIMIT = 100
USER_KEY_LIMIT = 20


def _refusals_are_limit_exceeded(answers: list[Answer]) -> None:
    for answer in answers:
        if answer.status_code != 201:
            assert answer.json()["error_code"] == "LimitExceeded", answer.text


def fifty_concurrent_creates_on_95_server_keys_make_exactly_100(
    deployment: Deployment, database_url: str
) -> None:
    """The server key limit's race, on any deployment; `database_url` to look inside."""
    admin = log_in(deployment)
    realm = RealmApp.create(admin, "limits")
    for n in range(95):  # one after another: the race is the next step's
        realm.new_server_key(f"seed-{n:02d}")

    answers = run_together([
        PreparedRequest(deployment, "POST", f"{ADMIN}{realm.path}/api_keys",
                        token=admin.access_token, body={"name": f"race-{n:02d}"})
        for n in range(50)
    ])

    assert Counter(answer.status_code for answer in answers) == {201: 5, 400: 45}
    _refusals_are_limit_exceeded(answers)
    keys = realm.server_keys()
    assert len(keys) == SERVER_KEY_LIMIT
    created = {answer.json()["_id"] for answer in answers if answer.status_code == 201}
    assert created <= {key["_id"] for key in keys}
    # Through the Admin API: one server user per key, whose identity is that key.
    server_users = [user for user in realm.users() if user["type"] == "server"]
    assert sorted(user["identities"][0]["id"] for user in server_users) == sorted(
        key["_id"] for key in keys)
    # And in the database itself: nothing half-made, no orphan server user.
    inventory = Inventory.read(database_url, realm.app_id)
    assert inventory.problems() == []
    assert len(inventory.server_keys) == SERVER_KEY_LIMIT


def thirty_concurrent_creates_on_15_user_keys_make_exactly_20(
    deployment: Deployment, database_url: str
) -> None:
    """The user key limit's race, twice, on any deployment; `database_url` to look inside."""
    admin = log_in(deployment)
    realm = RealmApp.create(admin, "userlimits", providers=("api-key", "local-userpass"))
    owners: dict[str, int] = {}
    # Two users in turn: a user key's transaction is short, and two races make it all
    # but certain that a check without its lock would be caught.
    for email in ("ann@example.com", "bob@example.com"):
        realm.register(email)
        user = realm.login_with_password(email)
        for n in range(15):
            assert realm.create_user_key(user["refresh_token"], f"seed-{n}").status_code == 201

        answers = run_together([
            PreparedRequest(deployment, "POST", f"{CLIENT}/auth/api_keys",
                            token=user["refresh_token"], body={"name": f"race-{n}"})
            for n in range(30)
        ])

        assert Counter(answer.status_code for answer in answers) == {201: 5, 400: 25}, email
        _refusals_are_limit_exceeded(answers)
        listed = deployment.request("GET", f"{CLIENT}/auth/api_keys",
                                    token=user["refresh_token"])
        assert len(listed.json()) == USER_KEY_LIMIT
        owners[user["user_id"]] = USER_KEY_LIMIT
    inventory = Inventory.read(database_url, realm.app_id)
    assert inventory.problems() == []
    assert Counter(inventory.user_keys.values()) == owners
