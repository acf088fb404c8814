"""Brute force is throttled: failed logins are counted per client address (within an app;
IPv6 by /64), per account (an email within the app) and per app, in the database, so every
worker and every server counts together.

Once an address has used up its failures for the window, every login from it is answered
429 TooManyRequests with Retry-After, whatever it sends: a throttled client cannot tell a
key that exists from one that does not. The account and app counts never refuse valid
credentials (others' failures must not lock anyone out): past them, failures are answered
429. Registrations are counted per address, every attempt. Successful logins are not
counted and write nothing. The window is moved with the clock, never waited for.

In-process on SQLite and PostgreSQL (small limits, client addresses set per request), then
live: four gunicorn workers on SQLite, and two separate servers on one PostgreSQL
(client addresses from X-Forwarded-For, one trusted proxy).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock, storage
from app.domain import keys
from app.domain import settings as domain_settings
from app.models import LoginFailure, SchemaVersion
from app.storage import SCHEMA_VERSION
from tests.reliability.deployment import ADMIN, Deployment, RealmApp, log_in, running
from tests.support.app import InProcessAdmin, make_app
from tests.support.client_actions import PASSWORD, ClientApp
from tests.support.http import ADMIN_BASE
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY
from tests.support.postgres import NewDatabase
from tests.support.store import in_database, take_away_after_5
from tests.support.wire import assert_error, assert_json

PER_ADDRESS = 3
PER_APP = 8
PER_ACCOUNT = 4
WINDOW = 300
ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"


@pytest.fixture
def limits(app: Flask) -> None:
    """Small limits, and the clock at the start of a window (no test straddles two)."""
    domain_settings.configure(dataclasses.replace(
        domain_settings.current(), throttle_failures_per_address=PER_ADDRESS,
        throttle_failures_per_app=PER_APP, throttle_failures_per_account=PER_ACCOUNT,
        throttle_registrations_per_address=PER_ADDRESS, throttle_window_seconds=WINDOW,
    ))
    clock.advance(timedelta(seconds=WINDOW - clock.timestamp() % WINDOW + 1))


@pytest.fixture
def realm(client: FlaskClient, admin_session: InProcessAdmin, limits: None) -> ClientApp:
    return ClientApp.create(client, admin_session)


def _key_login(realm: ClientApp, key: str, address: str = ATTACKER) -> TestResponse:
    return realm.client.post(realm.app_url("/auth/providers/api-key/login"),
                             json={"key": key}, environ_base={"REMOTE_ADDR": address})


def _password_login(realm: ClientApp, email: str, password: str,
                    address: str = ATTACKER) -> TestResponse:
    return realm.client.post(realm.app_url("/auth/providers/local-userpass/login"),
                             json={"username": email, "password": password},
                             environ_base={"REMOTE_ADDR": address})


def _throttled(response: TestResponse) -> int:
    """Check a response is the contract's 429 and return its Retry-After."""
    assert_error(response, 429, "TooManyRequests")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW
    return retry_after


def _spoiled_keys(realm: ClientApp) -> list[str]:
    """Three ways to fail: a made-up key, a mistyped one (bad checksum), a disabled one."""
    disabled = realm.create_server_key("disabled")
    assert realm.admin.put(f"{realm.admin_path}/api_keys/{disabled['_id']}/disable"
                           ).status_code == 204
    made_up = keys.generate(keys.API_KEY_PREFIX)
    return [made_up, made_up[:-1] + ("A" if made_up[-1] != "A" else "B"), disabled["key"]]


# --- per address ---------------------------------------------------------------------------


def test_after_the_allowed_failures_an_address_gets_429_even_with_the_right_key(
    realm: ClientApp,
) -> None:
    good = realm.create_server_key("good")["key"]
    for spoiled in _spoiled_keys(realm):
        assert_error(_key_login(realm, spoiled), 401, "AuthError")

    retry_after = _throttled(_key_login(realm, good))

    # The clock stood one second into the window when the test began: the window's end.
    assert WINDOW - 30 <= retry_after <= WINDOW - 1


def test_a_throttled_client_cannot_tell_a_real_key_from_a_made_up_one(
    realm: ClientApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = realm.create_server_key("good")["key"]
    spoiled = _spoiled_keys(realm)
    for key in spoiled:
        _key_login(realm, key)

    # The answers are compared to the letter, "try again in N seconds" included: the clock
    # stands still while they are made, so that a second ticking over between two of them
    # (a busy machine) is not taken for a difference.
    standing = clock.now()
    monkeypatch.setattr(clock, "now", lambda: standing)
    answers = [_key_login(realm, key) for key in [good, *spoiled, "not-a-key"]]

    for answer in answers:
        _throttled(answer)
    # Alike but for the correlation id each error's link names its own request by.
    assert len({(a.get_data().replace(a.headers["X-Appservices-Request-Id"].encode(), b""),
                 a.headers["Retry-After"]) for a in answers}) == 1


def test_one_address_being_throttled_does_not_lock_out_another(realm: ClientApp) -> None:
    good = realm.create_server_key("good")["key"]
    for key in _spoiled_keys(realm):
        _key_login(realm, key)

    assert_json(_key_login(realm, good, NEIGHBOUR), 200)
    _throttled(_key_login(realm, good))


def test_failures_in_one_app_do_not_count_in_another(
    realm: ClientApp, admin_session: InProcessAdmin
) -> None:
    other = ClientApp.create(realm.client, admin_session, name="otherapp",
                             providers=("api-key",))
    good = other.create_server_key("good")["key"]
    for key in _spoiled_keys(realm):
        _key_login(realm, key)

    assert_json(_key_login(other, good), 200)


def test_the_window_ends_and_the_address_may_try_again(realm: ClientApp) -> None:
    good = realm.create_server_key("good")["key"]
    for key in _spoiled_keys(realm):
        _key_login(realm, key)
    retry_after = _throttled(_key_login(realm, good))

    clock.advance(timedelta(seconds=retry_after // 2))
    _throttled(_key_login(realm, good))  # half-way: still throttled
    clock.advance(timedelta(seconds=retry_after - retry_after // 2))

    assert_json(_key_login(realm, good), 200)


def test_wrong_passwords_are_throttled_like_wrong_keys(realm: ClientApp) -> None:
    realm.register("ann@example.com")
    for password in ["wrong-1", "wrong-2", "wrong-3"]:
        assert_error(_password_login(realm, "ann@example.com", password), 401,
                     "InvalidPassword")

    _throttled(_password_login(realm, "ann@example.com", PASSWORD))
    _throttled(_password_login(realm, "nobody@example.com", PASSWORD))
    assert_json(_password_login(realm, "ann@example.com", PASSWORD, NEIGHBOUR), 200)


def test_key_and_password_failures_add_up(realm: ClientApp) -> None:
    realm.register("ann@example.com")
    good = realm.create_server_key("good")["key"]
    _key_login(realm, keys.generate(keys.API_KEY_PREFIX))
    _password_login(realm, "ann@example.com", "wrong-1")
    _key_login(realm, "not-a-key")

    _throttled(_password_login(realm, "ann@example.com", PASSWORD))
    _throttled(_key_login(realm, good))


# --- per app -------------------------------------------------------------------------------


def test_failures_from_many_addresses_never_lock_out_valid_credentials(
    realm: ClientApp, admin_session: InProcessAdmin
) -> None:
    good = realm.create_server_key("good")["key"]
    realm.register("ann@example.com")
    for number in range(PER_APP):  # one failure each: no address reaches its own limit
        assert_error(_key_login(realm, "not-a-key", f"192.0.2.{number}"), 401, "AuthError")

    # The app has had its failures: a valid key or password still logs in, from an
    # address never seen before and from one of the failing ones ...
    assert_json(_key_login(realm, good, "192.0.2.200"), 200)
    assert_json(_key_login(realm, good, "192.0.2.0"), 200)
    assert_json(_password_login(realm, "ann@example.com", PASSWORD, "192.0.2.201"), 200)
    # ... while a further failure, from anywhere, is told to back off.
    _throttled(_key_login(realm, "not-a-key", "192.0.2.202"))
    _throttled(_password_login(realm, "ann@example.com", "wrong", "192.0.2.203"))


def test_failures_in_one_app_never_reach_another_apps_logins(
    realm: ClientApp, admin_session: InProcessAdmin
) -> None:
    other = ClientApp.create(realm.client, admin_session, name="otherapp",
                             providers=("api-key",))
    for number in range(PER_APP + 2):
        _key_login(realm, "not-a-key", f"192.0.2.{number}")

    assert_error(_key_login(other, "not-a-key", "192.0.2.200"), 401, "AuthError")


# --- per account ---------------------------------------------------------------------------


def test_guessing_one_accounts_password_from_many_addresses_is_told_to_back_off(
    realm: ClientApp,
) -> None:
    realm.register("ann@example.com")
    realm.register("bob@example.com")
    for number in range(PER_ACCOUNT):  # each address stays under its own limit
        assert_error(_password_login(realm, "ann@example.com", "wrong", f"192.0.2.{number}"),
                     401, "InvalidPassword")

    _throttled(_password_login(realm, "ann@example.com", "wrong", "192.0.2.100"))
    # Ann, with her password, is never locked out by them; Bob's account counts apart.
    assert_json(_password_login(realm, "ann@example.com", PASSWORD, "192.0.2.101"), 200)
    assert_error(_password_login(realm, "bob@example.com", "wrong", "192.0.2.102"), 401,
                 "InvalidPassword")


def test_an_account_is_the_same_whatever_the_case_of_its_email(realm: ClientApp) -> None:
    realm.register("ann@example.com")
    for number, spelling in enumerate(["Ann@example.com", "ANN@EXAMPLE.COM", " ann@Example.com",
                                       "ann@example.COM"]):
        _password_login(realm, spelling, "wrong", f"192.0.2.{number}")

    _throttled(_password_login(realm, "ann@example.com", "wrong", "192.0.2.100"))


# --- IPv6 ----------------------------------------------------------------------------------


def test_an_ipv6_client_is_counted_by_its_64_network(realm: ClientApp) -> None:
    good = realm.create_server_key("good")["key"]
    for host in range(PER_ADDRESS):  # a fresh address of one /64 for every guess
        assert_error(_key_login(realm, "not-a-key", f"2001:db8:1:2::{host + 1:x}"), 401,
                     "AuthError")

    _throttled(_key_login(realm, good, "2001:db8:1:2:ffff:ffff:ffff:ffff"))
    assert_json(_key_login(realm, good, "2001:db8:1:3::1"), 200)  # the next /64


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(realm: ClientApp) -> None:
    good = realm.create_server_key("good")["key"]
    for _ in range(PER_ADDRESS):
        _key_login(realm, "not-a-key", "::ffff:203.0.113.9")

    _throttled(_key_login(realm, good, "203.0.113.9"))


# --- registrations -------------------------------------------------------------------------


def _register(realm: ClientApp, email: str, address: str = ATTACKER) -> TestResponse:
    return realm.client.post(realm.app_url("/auth/providers/local-userpass/register"),
                             json={"email": email, "password": PASSWORD},
                             environ_base={"REMOTE_ADDR": address})


def test_registrations_are_throttled_per_address(realm: ClientApp) -> None:
    realm.register("taken@example.com")
    answers = [_register(realm, "taken@example.com") for _ in range(PER_ADDRESS - 1)]
    answers.append(_register(realm, "new@example.com"))
    assert [answer.status_code for answer in answers] == [409] * (PER_ADDRESS - 1) + [201]

    # Used up: whether an email is taken or free, this address learns nothing more.
    _throttled(_register(realm, "taken@example.com"))
    _throttled(_register(realm, "another@example.com"))
    assert_error(_password_login(realm, "another@example.com", PASSWORD, NEIGHBOUR), 401,
                 "InvalidPassword")  # the refused registration made nothing
    assert _register(realm, "another@example.com", NEIGHBOUR).status_code == 201


# --- successes -----------------------------------------------------------------------------


def test_successful_logins_are_never_counted(realm: ClientApp) -> None:
    good = realm.create_server_key("good")["key"]

    for _ in range(PER_ADDRESS * 4):
        assert_json(_key_login(realm, good), 200)
    for _ in range(PER_ADDRESS - 1):
        _key_login(realm, "not-a-key")

    assert_json(_key_login(realm, good), 200)


def test_a_successful_login_costs_one_indexed_read_of_the_counters_and_no_write(
    realm: ClientApp, caplog: pytest.LogCaptureFixture
) -> None:
    good = realm.create_server_key("good")["key"]
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        assert_json(_key_login(realm, good), 200)

    statements = [str(record.msg[0]) for record in caplog.records
                  if record.name == "peewee" and isinstance(record.msg, tuple)]
    touching = [sql for sql in statements if "login_failure" in sql]
    assert len(touching) == 1, touching
    assert touching[0].startswith("SELECT")
    assert '"scope" IN' in touching[0] and '"window_start" =' in touching[0]  # the unique index


# --- the Admin API -------------------------------------------------------------------------


def _admin_login(client: FlaskClient, public_key: str, private_key: str,
                 address: str = ATTACKER) -> TestResponse:
    return client.post(f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login",
                       json={"username": public_key, "apiKey": private_key},
                       environ_base={"REMOTE_ADDR": address})


def test_admin_logins_are_throttled_per_address(
    client: FlaskClient, admin_session: InProcessAdmin, limits: None
) -> None:
    public_key, private_key = admin_session.public_key, admin_session.private_key
    for public, private in [(public_key, "wrong-1"), (public_key, "wrong-2"),
                            ("nobody", private_key)]:
        assert_error(_admin_login(client, public, private), 401, "AuthError")

    _throttled(_admin_login(client, public_key, private_key))
    _throttled(_admin_login(client, "nobody", "wrong"))
    assert_json(_admin_login(client, public_key, private_key, NEIGHBOUR), 200)


# --- live: several workers, several servers ------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def throttled_deployment(request: pytest.FixtureRequest,
                         tmp_path: Path) -> Iterator[Deployment]:
    """SQLite behind four workers, or two servers on one PostgreSQL; small limits; the
    client address comes from X-Forwarded-For (one trusted proxy)."""
    env = {"THROTTLE_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
           "THROTTLE_FAILURES_PER_APP": "1000", "TRUSTED_PROXY_HOPS": "1"}
    if request.param == "sqlite":
        options: dict[str, Any] = {"workers": 4}
    else:
        new_pg_database: NewDatabase = request.getfixturevalue("new_pg_database")
        options = {"database_url": new_pg_database(), "count": 2}
    with running(tmp_path, env=env, **options) as servers:
        deployment = Deployment([server.base_url for server in servers])
        now = deployment.request("GET", "/_testing/clock", server=0).json()["now"]
        deployment.move_clocks(WINDOW - now % WINDOW + 1)  # at the start of a window
        yield deployment


def test_failures_on_any_worker_or_server_count_on_all(
    throttled_deployment: Deployment,
) -> None:
    deployment = throttled_deployment
    realm = RealmApp.create(log_in(deployment), "bruteforce")
    good = realm.new_server_key("good")["key"]
    from_attacker = {"X-Forwarded-For": ATTACKER}
    servers = len(deployment.base_urls)

    for attempt in range(PER_ADDRESS):  # spread over the servers (or workers) in turn
        failed = realm.login("api-key", {"key": keys.generate(keys.API_KEY_PREFIX)},
                             server=attempt % servers, headers=from_attacker)
        assert failed.status_code == 401, failed.text

    for server in range(servers):
        for key in [good, keys.generate(keys.API_KEY_PREFIX)]:
            answer = realm.login("api-key", {"key": key}, server=server, headers=from_attacker)
            assert answer.status_code == 429, answer.text
            assert answer.json()["error_code"] == "TooManyRequests"
            assert 1 <= int(answer.headers["Retry-After"]) <= WINDOW
        assert realm.login("api-key", {"key": good}, server=server,
                           headers={"X-Forwarded-For": NEIGHBOUR}).status_code == 200

    deployment.move_clocks(WINDOW)
    for server in range(servers):
        assert realm.login("api-key", {"key": good}, server=server,
                           headers=from_attacker).status_code == 200


def test_admin_login_failures_on_one_server_count_on_all(
    throttled_deployment: Deployment,
) -> None:
    deployment = throttled_deployment
    from_attacker = {"X-Forwarded-For": ATTACKER}
    login = f"{ADMIN}/auth/providers/mongodb-cloud/login"
    right = {"username": ADMIN_PUBLIC_KEY, "apiKey": ADMIN_PRIVATE_KEY}
    for attempt in range(PER_ADDRESS):
        failed = deployment.request("POST", login, json={**right, "apiKey": "wrong"},
                                    server=attempt % len(deployment.base_urls),
                                    headers=from_attacker)
        assert failed.status_code == 401, failed.text

    for server in range(len(deployment.base_urls)):
        refused = deployment.request("POST", login, json=right, server=server,
                                     headers=from_attacker)
        assert refused.status_code == 429, refused.text
        assert "Retry-After" in refused.headers


# --- the counters' table reaches existing databases ----------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'upgraded.db'}"
    new_pg_database: NewDatabase = request.getfixturevalue("new_pg_database")
    return new_pg_database()


def test_a_database_of_schema_version_1_gains_the_counters_when_the_service_starts(
    fresh_database_url: str, tmp_path: Path
) -> None:
    old = make_app(fresh_database_url, tmp_path / "old")
    with in_database(old):  # make it a database as version 1 left it
        LoginFailure.drop_table()
        take_away_after_5()
        SchemaVersion.delete().execute()
        SchemaVersion.create(version=1, applied_at=0)
        assert "login_failure" not in storage.database.get_tables()
    storage.close_all()

    upgraded = make_app(fresh_database_url, tmp_path / "new")

    with in_database(upgraded):
        assert "login_failure" in storage.database.get_tables()
        versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
    storage.close_all()
