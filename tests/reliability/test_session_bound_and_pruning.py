"""The per-user session bound and background pruning, on live servers.

- Concurrent logins with one server key, on two separate servers sharing PostgreSQL (and
  on one SQLite server with four workers), leave exactly MAX_SESSIONS_PER_USER sessions:
  every login answered 200, and exactly that many of the refresh tokens handed out still
  work (the others' sessions ended; none half-made). With a large bound (trimmed in
  batches, down to nine tenths of it) the logins settle on the count that taking turns one
  by one gives, never above the bound.
- The background pruner runs in the serving processes: with the clocks moved past refresh
  expiry, the rows leave the database without any request asking for it; and a server
  stops promptly on SIGTERM with its pruner running.

The database is read directly only to count rows (sqlite3 or psycopg); the tests poll for
a condition, never sleep for a set time.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from tests.reliability.deployment import (
    CLIENT,
    Deployment,
    RealmApp,
    log_in,
    run_in_parallel,
    run_together,
    running,
)
from tests.support.live_server import LiveServer
from tests.support.postgres import NewDatabase

BOUND = 5
LARGE_BOUND = 100  # kept in batches: a trim leaves 90
REFRESH_SECONDS = 3600
POLL_TIMEOUT_SECONDS = 60.0


def _session_rows(database_url: str) -> int:
    """How many session rows the database holds (expired or not)."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM session").fetchone()[0])
    with contextlib.closing(psycopg.connect(database_url)) as conn:
        row = conn.execute("SELECT COUNT(*) FROM session").fetchone()
        assert row is not None
        return int(row[0])


def _poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + POLL_TIMEOUT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # polling for the condition, not waiting a set time


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    new_pg_database: NewDatabase = request.getfixturevalue("new_pg_database")
    return new_pg_database()


@contextlib.contextmanager
def _bounded_servers(tmp_path: Path, database_url: str,
                     bound: int) -> Iterator[list[LiveServer]]:
    """SQLite: one server, four workers. PostgreSQL: two servers, four workers each."""
    count = 1 if database_url.startswith("sqlite") else 2
    with running(tmp_path, database_url=database_url, count=count, workers=4,
                 env={"MAX_SESSIONS_PER_USER": str(bound)}) as servers:
        yield servers


@pytest.fixture
def bounded(tmp_path: Path, database_url: str) -> Iterator[list[LiveServer]]:
    with _bounded_servers(tmp_path, database_url, BOUND) as servers:
        yield servers


def test_concurrent_logins_on_several_servers_leave_exactly_the_bound(
    bounded: list[LiveServer], database_url: str
) -> None:
    deployment = Deployment([server.base_url for server in bounded])
    realm = RealmApp.create(log_in(deployment), f"bound-{uuid.uuid4().hex[:8]}")
    key = realm.new_server_key("script")["key"]
    logins = run_together([lambda: realm.login("api-key", {"key": key})
                           for _ in range(24)])
    assert [answer.status_code for answer in logins] == [200] * 24, [
        answer.text for answer in logins if answer.status_code != 200]
    assert _session_rows(database_url) == BOUND
    refreshed = [deployment.request("POST", f"{CLIENT}/auth/session",
                                    token=answer.json()["refresh_token"])
                 for answer in logins]
    assert sorted(answer.status_code for answer in refreshed) == [201] * BOUND + [401] * (
        24 - BOUND)
    for answer in refreshed:
        if answer.status_code == 401:
            assert answer.json()["error_code"] == "InvalidSession"


@pytest.fixture
def large_bound(tmp_path: Path, database_url: str) -> Iterator[list[LiveServer]]:
    with _bounded_servers(tmp_path, database_url, LARGE_BOUND) as servers:
        yield servers


def _held_after_logins_one_by_one(logins: int) -> int:
    """What a user holds after `logins` logins taking turns: up to the bound, then back
    to nine tenths of it each time it is passed."""
    held = 0
    for _ in range(logins):
        held += 1
        if held > LARGE_BOUND:
            held = LARGE_BOUND - LARGE_BOUND // 10
    return held


def test_concurrent_logins_under_a_large_bound_settle_on_the_one_by_one_count(
    large_bound: list[LiveServer], database_url: str
) -> None:
    deployment = Deployment([server.base_url for server in large_bound])
    realm = RealmApp.create(log_in(deployment), f"batch-{uuid.uuid4().hex[:8]}")
    key = realm.new_server_key("script")["key"]
    logins = run_in_parallel([lambda: realm.login("api-key", {"key": key})
                              for _ in range(3 * LARGE_BOUND)], threads=16)
    assert [answer.status_code for answer in logins] == [200] * len(logins)
    expected = _held_after_logins_one_by_one(len(logins))
    assert _session_rows(database_url) == expected
    working = sum(deployment.request("POST", f"{CLIENT}/auth/session",
                                     token=answer.json()["refresh_token"]).status_code == 201
                  for answer in logins)
    assert working == expected


@pytest.fixture
def pruning(tmp_path: Path, database_url: str) -> Iterator[list[LiveServer]]:
    """Servers that prune every second, with the shortest refresh lifetime allowed."""
    count = 1 if database_url.startswith("sqlite") else 2
    with running(tmp_path, database_url=database_url, count=count, workers=2,
                 env={"PRUNE_INTERVAL_SECONDS": "1", "PRUNE_BATCH_SIZE": "10",
                      "REFRESH_TOKEN_SECONDS": str(REFRESH_SECONDS)}) as servers:
        yield servers


def test_the_background_pruner_removes_expired_sessions(
    pruning: list[LiveServer], database_url: str
) -> None:
    deployment = Deployment([server.base_url for server in pruning])
    realm = RealmApp.create(log_in(deployment), f"prune-{uuid.uuid4().hex[:8]}",
                            providers=("api-key", "anon-user"))
    key = realm.new_server_key("script")["key"]
    for _ in range(25):  # more than two batches
        realm.login_with_key(key)
    anonymous = realm.login("anon-user", {})  # never expires, so never pruned
    assert anonymous.status_code == 200
    assert _session_rows(database_url) == 26
    deployment.move_clocks(REFRESH_SECONDS + 60)
    _poll(lambda: _session_rows(database_url) == 1, "the expired sessions to be pruned")
    health = requests.get(pruning[0].base_url + "/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["database_bytes"] > 0
    refreshed = deployment.request("POST", f"{CLIENT}/auth/session",
                                   token=anonymous.json()["refresh_token"])
    assert refreshed.status_code == 201


def test_a_server_with_its_pruner_running_stops_promptly(pruning: list[LiveServer]) -> None:
    server = pruning[0]
    assert requests.get(server.base_url + "/healthz", timeout=10).status_code == 200
    started = time.monotonic()
    server.stop()  # SIGTERM; LiveServer kills it after 20 s
    assert time.monotonic() - started < 10
