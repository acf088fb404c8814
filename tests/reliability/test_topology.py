"""The production topology, built on one machine: HAProxy -> three `appservices serve`
servers -> PgBouncer in transaction mode -> PostgreSQL (tests/reliability/topology.py),
what docs/deploying.md ("HAProxy, several servers, PgBouncer") tells operators to run.

Under steady, bounded load through HAProxy (a few clients logging in, refreshing and
reading their profile, and an admin creating and deleting keys, every answer counted):

- a rolling restart of every server (drain, no request left, SIGTERM, start, healthy,
  ready) fails no request;
- `kill -9` of one server's whole process group fails only the requests in flight on it,
  HAProxy routes around it, and the database holds nothing half-made;
- a PostgreSQL restart fails requests fast (PgBouncer's query_wait_timeout, not its 120 s
  default) with the service's 503 envelope, `/healthz` says 503, and everything
  recovers without restarting a server.

Then the key limits and revocation across servers, through HAProxy and PgBouncer (the
same checks as test_limits_under_concurrency.py and test_revocation_across_servers.py),
and the pruner's lock behind a transaction pooler.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests

from app import clock, storage
from app.pruner import ADVISORY_LOCK_ID, Pruner
from tests.reliability.deployment import Deployment
from tests.reliability.limits import (
    fifty_concurrent_creates_on_95_server_keys_make_exactly_100,
    thirty_concurrent_creates_on_15_user_keys_make_exactly_20,
)
from tests.reliability.storage import Inventory, query

# The revocation tests, run here a second time against `pair` below: two of the
# topology's servers, addressed one by one, through PgBouncer.
from tests.reliability.test_revocation_across_servers import (  # noqa: F401
    scene,
    test_a_server_key_revoked_on_a_fails_on_b_at_once,
    test_a_server_user_revoked_on_a_takes_its_key_with_it_on_b,
    test_a_user_deleted_on_a_cannot_log_in_or_use_any_session_on_b,
    test_a_user_disabled_on_a_cannot_log_in_or_use_any_session_on_b,
    test_a_user_key_revoked_by_its_owner_on_a_fails_on_b_at_once,
    test_an_admin_logging_out_on_a_ends_the_admin_session_on_b,
    test_logging_out_on_a_ends_that_session_on_b_and_no_other,
    test_the_admin_logging_a_user_out_on_a_ends_all_her_sessions_on_b,
)
from tests.reliability.topology import (
    MIN_POOL_SIZE,
    QUERY_WAIT_TIMEOUT_SECONDS,
    SERVERS,
    Load,
    Outcome,
    Topology,
    built,
    poll,
    require_tools,
)
from tests.support.app import make_app

# One topology for the module: under xdist (scripts/test's --dist loadgroup) every test
# of it runs on one worker, instead of each worker building a topology of its own.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("topology")]

# Enough answers before and after each event to call the load steady.
STEADY_ANSWERS = 30
# How long a request may take while PostgreSQL is down: PgBouncer's wait, and some margin
# for a loaded 2-core machine (its default wait would be 120 s).
FAST_SECONDS = QUERY_WAIT_TIMEOUT_SECONDS + 5


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    require_tools()
    with built(tmp_path_factory.mktemp("topology")) as started:
        yield started


@pytest.fixture
def whole(topology: Topology) -> Topology:
    """The topology with everything running, whatever an earlier test left behind."""
    topology.make_whole()
    return topology


@pytest.fixture
def pair(whole: Topology) -> Deployment:
    """For the revocation tests: the servers themselves (A = 0, B = 1), through PgBouncer."""
    return whole.direct()


def _listed(outcomes: list[Outcome]) -> str:
    return "\n".join(str(outcome) for outcome in outcomes[:20])


def _served(topology: Topology, index: int) -> int:
    """How many requests HAProxy has sent to server `index` so far."""
    assert topology.haproxy is not None
    return int(topology.haproxy.server_stats()[topology.haproxy.server_name(index)]["stot"])


# --- a rolling restart ---------------------------------------------------------------------


def test_a_rolling_restart_of_every_server_fails_no_request(whole: Topology) -> None:
    pids = [server.pid for server in whole.servers]
    served_after_restart = []
    with Load.on(whole, "rolling") as load:
        start = time.monotonic()
        load.wait_for_answers(STEADY_ANSWERS, after=start)
        for index in range(SERVERS):
            whole.restart_gracefully(index)
            served_after_restart.append(_served(whole, index))
            load.wait_for_answers(STEADY_ANSWERS, after=time.monotonic())

    answered = load.since(start)
    assert load.failures() == [], _listed(load.failures())
    assert len(answered) >= (SERVERS + 1) * STEADY_ANSWERS
    assert all(before != server.pid for before, server in zip(pids, whole.servers, strict=True))
    # Each restarted server took requests again once it was ready.
    assert all(_served(whole, index) > served_after_restart[index] for index in range(SERVERS))


# --- kill -9 ---------------------------------------------------------------------------------


def test_a_server_killed_fails_only_its_requests_in_flight_and_leaves_nothing_half_made(
    whole: Topology,
) -> None:
    victim = 1
    with Load.on(whole, "crash") as load:
        load.wait_for_answers(STEADY_ANSWERS, after=time.monotonic())
        whole.servers[victim].kill()  # the server and its workers, SIGKILL at once
        whole.wait_for_status(victim, "DOWN")
        down = time.monotonic()
        load.wait_for_answers(2 * STEADY_ANSWERS, after=down)

    failures = load.failures()
    # What failed was on its way to the killed server when it died: in flight, or just
    # sent on a kept-alive connection to it that HAProxy had not yet seen closed (then
    # HAProxy closes the client's connection without an answer, for the client to retry).
    # At most one a client thread; none once HAProxy had taken it out, and between the
    # two, connections it refused were tried on the others (retry-on conn-failure).
    assert len(failures) <= load.threads, _listed(failures)
    assert all(failure.started < down for failure in failures), _listed(failures)
    assert all(outcome.ok for outcome in load.since(down)), _listed(load.failures(down))
    # Nothing half-made: every key with its user and identity, no session without its user.
    inventory = Inventory.read(whole.database_url, load.realm.app_id)
    assert inventory.problems() == []
    listed = {key["_id"] for key in load.realm.server_keys()}
    assert listed == set(inventory.server_keys)
    orphans = query(whole.database_url, 'SELECT count(*) FROM session s LEFT JOIN "user" u '
                    "ON u.id = s.user_id WHERE u.id IS NULL")
    assert orphans == [(0,)]
    # Started again, it is taken back.
    whole.make_whole()
    assert whole.servers[victim].running


# --- a PostgreSQL restart ----------------------------------------------------------------


def _health(url: str) -> requests.Response:
    return requests.get(url + "/healthz", timeout=FAST_SECONDS + 10)


def test_a_postgresql_restart_fails_requests_fast_with_503_then_everything_recovers(
    whole: Topology,
) -> None:
    pids = [server.pid for server in whole.servers]
    taken_out = _times_taken_out(whole)
    with Load.on(whole, "outage") as load:
        load.wait_for_answers(STEADY_ANSWERS, after=time.monotonic())
        whole.postgres.shut_down()
        down = time.monotonic()
        load.wait_for_answers(2 * load.threads, after=down, ok=False)
        asked = time.monotonic()
        health = _health(whole.base_url)
        health_seconds = time.monotonic() - asked
        whole.postgres.start_again()
        up = time.monotonic()
        for url in [whole.base_url, *(server.base_url for server in whole.servers)]:
            _wait_healthy(url)
        recovered = time.monotonic()
        load.wait_for_answers(STEADY_ANSWERS, after=recovered)

    assert health.status_code == 503, health.text
    assert health.json()["error_code"] == "ServiceUnavailable"
    assert health_seconds < FAST_SECONDS
    during = [outcome for outcome in load.since(down) if outcome.started < up]
    failed = [outcome for outcome in during if not outcome.ok]
    assert failed, "no request saw the outage"
    for outcome in failed:  # the service's own answer, fast: never a 500 or HAProxy's page
        assert (outcome.status, outcome.error_code, outcome.retry_after) == (
            503, "ServiceUnavailable", "1"), _listed(failed)
        assert outcome.content_type.startswith("application/json"), outcome
        assert outcome.seconds < FAST_SECONDS, _listed(failed)
    assert all(outcome.ok for outcome in load.since(recovered)), _listed(
        load.failures(recovered))
    # No server was restarted, and HAProxy kept them in (it checks /healthz/live, not
    # /healthz, which fails on every server at once while the database is down): on a busy
    # machine a probe may wait too long for a worker blocked on PgBouncer, but not on all.
    assert [server.pid for server in whole.servers] == pids
    taken_out_since = [now - before for now, before in zip(_times_taken_out(whole), taken_out,
                                                           strict=True)]
    assert min(taken_out_since) == 0, taken_out_since


def _wait_healthy(url: str) -> None:
    poll(lambda: _health(url).status_code == 200, f"{url}/healthz says 200 again", 60)


def _times_taken_out(topology: Topology) -> list[int]:
    """How many times HAProxy's checks found each server down (`show stat`'s chkdown)."""
    assert topology.haproxy is not None
    return [int(row["chkdown"] or 0) for row in topology.haproxy.server_stats().values()]


# --- limits and revocation across servers, through PgBouncer ----------------------------


def test_fifty_concurrent_creates_through_haproxy_on_95_server_keys_make_exactly_100(
    whole: Topology,
) -> None:
    fifty_concurrent_creates_on_95_server_keys_make_exactly_100(
        whole.balanced(), whole.database_url)


def test_thirty_concurrent_creates_through_haproxy_on_15_user_keys_make_exactly_20(
    whole: Topology,
) -> None:
    thirty_concurrent_creates_on_15_user_keys_make_exactly_20(
        whole.balanced(), whole.database_url)


# --- the pruner behind a transaction pooler ------------------------------------------------


def _advisory_locks(database_url: str) -> int:
    rows = query(database_url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                 "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    return int(rows[0][0])


def _server_connections(database_url: str) -> int:
    rows = query(database_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                 "current_database() AND pid <> pg_backend_pid()")
    return int(rows[0][0])


def test_two_pruners_behind_pgbouncer_take_turns_and_leave_no_lock_behind(
    whole: Topology, tmp_path: Path,
) -> None:
    name = "pruning"
    whole.postgres.create_database(name)
    direct = whole.postgres.database_url(name)
    assert whole.bouncer is not None
    app = make_app(whole.bouncer.database_url(name), tmp_path / "instance")
    pruners = [Pruner(interval_seconds=60, batch_size=100) for _ in range(2)]
    # While a client is connected PgBouncer keeps MIN_POOL_SIZE server connections open
    # for the database, and hands them out in turn: a pass's statements land on several.
    bystander = psycopg.connect(whole.bouncer.database_url(name).partition("?")[0])
    poll(lambda: _server_connections(direct) >= MIN_POOL_SIZE,
         "PgBouncer opened its server connections")
    try:
        with app.app_context():
            for turn in range(6):  # nobody else prunes: every pass runs, and lets go
                assert pruners[turn % 2].run_pass() is not None, f"pass {turn} was skipped"
                assert _advisory_locks(direct) == 0, f"pass {turn} left its lock held"
            # A pruner of another server, in the middle of a batch, holds the lock.
            with psycopg.connect(direct) as other:
                other.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_ID,))
                assert [pruner.run_pass() for pruner in pruners] == [None, None]
            assert pruners[0].run_pass() is not None
    finally:
        bystander.close()
        storage.close_all()
        clock.reset()
