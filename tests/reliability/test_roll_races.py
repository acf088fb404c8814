"""Rolling a key holds against logins racing it, and is never counted as a new key.

A roll without grace retires the old value at once: logins with it released at the
instant of the roll either open their session before it (and the roll ends that
session) or after (and are refused). None survives. Rolls racing creations on an app
near its limit still leave exactly 100 server keys.

Live servers, as in test_revocation_races: four server workers on one SQLite file, and
two servers sharing one PostgreSQL, requests alternating between them.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from tests.reliability.deployment import (
    ADMIN,
    CLIENT,
    Deployment,
    PreparedRequest,
    RealmApp,
    log_in,
    run_together,
)

ROUNDS = 3
LOGINS_PER_ROUND = 40
SERVER_KEY_LIMIT = 100
# Throttling off: the logins that lose the race are failures from one address, enough
# over three rounds to have the address refused (throttling has tests of its own).
NO_THROTTLE = {"THROTTLE_FAILURES_PER_ADDRESS": "0", "THROTTLE_FAILURES_PER_APP": "0"}


@pytest.fixture
def server_env() -> dict[str, str]:
    return NO_THROTTLE


def test_no_session_of_a_login_racing_a_roll_without_grace_survives_it(
    deployment: Deployment,
) -> None:
    admin = log_in(deployment)
    realm = RealmApp.create(admin, f"roll-race-{uuid.uuid4().hex[:8]}")
    key = realm.new_server_key("racer")
    value, logged_in = key["key"], 0
    login_path = f"{CLIENT}/app/{realm.client_app_id}/auth/providers/api-key/login"
    for _ in range(ROUNDS):
        logins = [PreparedRequest(deployment, "POST", login_path, token="",
                                  body={"key": value}) for _ in range(LOGINS_PER_ROUND)]
        roll = PreparedRequest(deployment, "POST", f"{ADMIN}{realm.path}/api_keys/"
                               f"{key['_id']}/roll", token=admin.access_token,
                               body={"grace_period_seconds": 0})
        half = LOGINS_PER_ROUND // 2
        answers = run_together([*logins[:half], roll, *logins[half:]])
        rolled = answers.pop(half)

        assert rolled.status_code == 200, rolled.text
        assert {answer.status_code for answer in answers} <= {200, 401}
        sessions = [answer.json() for answer in answers if answer.status_code == 200]
        logged_in += len(sessions)
        for session in sessions:
            refreshed = deployment.request("POST", f"{CLIENT}/auth/session",
                                           token=session["refresh_token"])
            assert refreshed.status_code == 401, refreshed.text
            profile = deployment.request("GET", f"{CLIENT}/auth/profile",
                                         token=session["access_token"])
            assert profile.status_code == 401, profile.text
        value = rolled.json()["key"]
        assert realm.login_with_key(value)["user_id"]  # the new value works at once
    assert logged_in > 0  # some logins did win the race: the roll had sessions to end


def test_rolls_racing_creations_near_the_limit_still_make_exactly_100(
    deployment: Deployment,
) -> None:
    admin = log_in(deployment)
    realm = RealmApp.create(admin, "roll-limits")
    seeded = [realm.new_server_key(f"seed-{n:02d}") for n in range(95)]
    keys_path = f"{ADMIN}{realm.path}/api_keys"
    creates = [PreparedRequest(deployment, "POST", keys_path, token=admin.access_token,
                               body={"name": f"race-{n:02d}"}) for n in range(20)]
    rolls = [PreparedRequest(deployment, "POST", f"{keys_path}/{key['_id']}/roll",
                             token=admin.access_token, body={"grace_period_seconds": 60})
             for key in seeded[:20]]

    answers = run_together([call for pair in zip(creates, rolls, strict=True)
                            for call in pair])

    assert Counter(answer.status_code for answer in answers[0::2]) == {201: 5, 400: 15}
    assert Counter(answer.status_code for answer in answers[1::2]) == {200: 20}
    assert len(realm.server_keys()) == SERVER_KEY_LIMIT
