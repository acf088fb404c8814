"""Crash consistency: a worker killed with SIGKILL leaves no half-made state behind.

A stream of server key creations and deletions runs against a live server while its
workers are killed one after another; then a worker is killed at the worst
moment, in the middle of creating a key: after its server user was inserted, while its
identity is being inserted (a test-only trigger or table lock holds it there). Each key is
made in one transaction, so the database rolls the half-made key back. Afterwards the
database itself (read with sqlite3 / psycopg) has each key with its user, each server
user with its identity and key, and as many server users as server keys. Last, a server
told to stop (SIGTERM) while a creation is held back finishes it before it exits.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
import requests

from tests.reliability.deployment import ADMIN, Deployment, RealmApp, log_in, running
from tests.reliability.storage import Inventory
from tests.support.live_server import LiveServer
from tests.support.postgres import NewDatabase

WORKERS = 3
STREAM_OPERATIONS = 90
KILL_AFTER = {15, 40, 65}  # completed operations after which a worker is killed
CLIENTS = 4
POLL_SECONDS = 15.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    database_url = None
    if request.param == "postgres":
        new_pg_database: NewDatabase = request.getfixturevalue("new_pg_database")
        database_url = new_pg_database()
    # INFO: the server's log says when it tells its workers to stop (the stopping test).
    with running(tmp_path, database_url=database_url, workers=WORKERS,
                 env={"LOG_LEVEL": "INFO"}) as servers:
        yield servers[0]


def _workers(server: LiveServer) -> list[psutil.Process]:
    """The server's workers: the children of its main process."""
    assert server._process is not None
    return psutil.Process(server._process.pid).children()


def _poll(condition: Callable[[], Any], what: str) -> Any:
    """Wait, bounded, until `condition()` is truthy; return it."""
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.005)
    raise AssertionError(f"gave up waiting until {what}")


def _all_workers_up(server: LiveServer) -> None:
    _poll(lambda: len(_workers(server)) == WORKERS, "the server replaced its killed workers")


# --- a stream of creations and deletions, with workers killed along the way ------------------


def test_killing_workers_during_a_stream_of_creations_and_deletions_leaves_nothing_half_made(
    server: LiveServer,
) -> None:
    deployment = Deployment([server.base_url])
    realm = RealmApp.create(log_in(deployment), "crashes")
    created: list[str] = []
    answers: list[int] = []
    done = 0
    lock = threading.Lock()

    def operation(number: int) -> None:
        nonlocal done
        try:
            if number % 3 == 2 and created:  # every third operation deletes a key
                with lock:
                    victim = created.pop(0)
                answer = realm.admin.request("DELETE", f"{realm.path}/api_keys/{victim}")
            else:
                answer = realm.create_server_key(f"stream-{number}")
                if answer.status_code == 201:
                    with lock:
                        created.append(answer.json()["_id"])
            answers.append(answer.status_code)
        except requests.RequestException:
            pass  # this request's worker was killed under it: no answer, or half of one
        with lock:
            done += 1
            kill = done in KILL_AFTER
        if kill:
            with contextlib.suppress(psutil.NoSuchProcess, IndexError):  # one just died
                _workers(server)[0].send_signal(signal.SIGKILL)

    def share(first: int) -> None:  # each client does every CLIENTS-th operation
        for number in range(first, STREAM_OPERATIONS, CLIENTS):
            operation(number)

    threads = [threading.Thread(target=share, args=(first,)) for first in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _all_workers_up(server)

    assert all(status < 500 for status in answers), answers
    # The server kept serving: a kill loses at most what the four clients had sent to the
    # killed worker (in flight, or on a connection it held open), one request each.
    assert len(answers) >= STREAM_OPERATIONS - CLIENTS * len(KILL_AFTER)
    inventory = Inventory.read(server.database_url, realm.app_id)
    assert inventory.problems() == []
    listed = {key["_id"] for key in realm.server_keys()}
    assert listed == set(inventory.server_keys)
    assert set(created) <= listed  # every acknowledged key survived


# --- a worker killed in the middle of making a key --------------------------------------------


class Stall:
    """Holds inserts into `identity` back, so a key's creation stops half-way.

    SQLite: a trigger that burns a few seconds of CPU before each insert; PostgreSQL: a
    SHARE lock on the table, held by the test. `holding()` tells when a creator is stuck
    there: holding SQLite's write lock, or waiting for the table lock.
    """

    def __init__(self, database_url: str, *, rows: int = 700) -> None:
        self.database_url = database_url
        self.rows = rows  # SQLite: the trigger burns rows**3 steps (700: about 7 s)
        self.sqlite_path = (database_url.removeprefix("sqlite:///")
                            if database_url.startswith("sqlite:") else None)
        self._pg: Any = None

    def __enter__(self) -> Stall:
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as db, db:
                db.execute("CREATE TABLE stall_rows (n INTEGER)")
                db.executemany("INSERT INTO stall_rows VALUES (?)",
                               [(n,) for n in range(self.rows)])
                db.execute("CREATE TRIGGER stall BEFORE INSERT ON identity BEGIN "
                           "SELECT count(*) FROM stall_rows a, stall_rows b, stall_rows c; END")
        else:
            self._pg = psycopg.connect(self.database_url)
            self._pg.cursor().execute("LOCK TABLE identity IN SHARE MODE")
        return self

    def holding(self) -> bool:
        if self.sqlite_path:
            probe = sqlite3.connect(self.sqlite_path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:  # "database is locked": a writer is inside
                return True
            finally:
                probe.close()
        with contextlib.closing(psycopg.connect(self.database_url)) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                           " WHERE c.relname = 'identity' AND NOT l.granted")
            row = cursor.fetchone()
            return bool(row and row[0])

    def __exit__(self, *exc: object) -> None:
        if self.sqlite_path:
            with contextlib.closing(sqlite3.connect(self.sqlite_path, timeout=30)) as db, db:
                db.execute("DROP TRIGGER stall")
                db.execute("DROP TABLE stall_rows")
        else:
            self._pg.rollback()  # releases the lock: the stuck insert goes on, then finds
            self._pg.close()  # its client gone, and its transaction is rolled back
            _poll(self._nothing_running, "the killed worker's database session ended")

    def _nothing_running(self) -> bool:
        with contextlib.closing(psycopg.connect(self.database_url)) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid() AND state <> 'idle'")
            row = cursor.fetchone()
            return bool(row and row[0] == 0)


def _worker_serving(server: LiveServer, client_port: int) -> psutil.Process | None:
    for worker in _workers(server):
        with contextlib.suppress(psutil.NoSuchProcess):
            for connection in worker.net_connections(kind="tcp"):
                if connection.raddr and connection.raddr.port == client_port:
                    return worker
    return None


def _send_create(realm: RealmApp, server: LiveServer, name: str) -> http.client.HTTPConnection:
    """Send a create request without waiting for its answer."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("POST", f"{ADMIN}{realm.path}/api_keys", body=json.dumps({"name": name}),
                       headers={"Content-Type": "application/json",
                                "Authorization": f"Bearer {realm.admin.access_token}"})
    return connection


def test_a_worker_killed_half_way_through_making_a_key_leaves_no_trace_of_it(
    server: LiveServer,
) -> None:
    deployment = Deployment([server.base_url])
    realm = RealmApp.create(log_in(deployment), "halfway")
    kept = realm.new_server_key("kept")

    with Stall(server.database_url) as stall:
        connection = _send_create(realm, server, "doomed")
        assert connection.sock is not None
        port = connection.sock.getsockname()[1]
        worker = _poll(lambda: _worker_serving(server, port), "a worker took the request")
        _poll(stall.holding, "the worker is half-way through creating the key")
        worker.send_signal(signal.SIGKILL)
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            connection.getresponse()  # the worker died without answering
        connection.close()
    _all_workers_up(server)

    inventory = Inventory.read(server.database_url, realm.app_id)
    assert inventory.problems() == []
    assert list(inventory.server_keys) == [kept["_id"]]
    assert [user for user, kind in inventory.users.items() if kind == "server"] == [
        inventory.server_keys[kept["_id"]]]
    # The service goes on: the name was never taken.
    assert realm.create_server_key("doomed").status_code == 201


# --- a stopping server finishes what it started -----------------------------------------------


def test_a_server_told_to_stop_finishes_the_request_in_flight_then_exits_cleanly(
    server: LiveServer,
) -> None:
    deployment = Deployment([server.base_url])
    realm = RealmApp.create(log_in(deployment), "stopping")
    assert server._process is not None
    process = server._process

    # SQLite: a hold of about 1.5 s, well within the 10 s a stopping server grants.
    with Stall(server.database_url, rows=400) as stall:
        connection = _send_create(realm, server, "in-flight")
        _poll(stall.holding, "the worker is half-way through creating the key")
        process.send_signal(signal.SIGTERM)
        # The workers have been told to stop while the creation is still held back.
        _poll(lambda: "Stopping worker" in server.log_tail(200), "the workers were told to stop")
    answer = connection.getresponse()
    created = json.loads(answer.read())
    connection.close()

    assert answer.status == 201, created
    assert process.wait(timeout=30) == 0
    inventory = Inventory.read(server.database_url, realm.app_id)
    assert inventory.problems() == []
    assert list(inventory.server_keys) == [created["_id"]]


def test_a_worker_killed_again_as_soon_as_it_was_replaced_does_not_take_the_server_down(
    server: LiveServer,
) -> None:
    assert server._process is not None
    original = _workers(server)
    original[0].send_signal(signal.SIGKILL)
    pids = {worker.pid for worker in original}
    replacement = _poll(lambda: [worker for worker in _workers(server) if worker.pid not in pids],
                        "a worker replaced the killed one")[0]
    replacement.send_signal(signal.SIGKILL)  # at once: what granian calls a crash loop

    # granian may give up on the workers a moment after the first answer (its crash-loop
    # guard), and `serve` then starts it again: wait until it answers steadily.
    _poll(lambda: _steadily_healthy(server), "the server answered steadily again")
    _all_workers_up(server)
    assert server._process.poll() is None  # the same server, still running
    realm = RealmApp.create(log_in(Deployment([server.base_url])), "after-crashes")
    assert realm.create_server_key("still-serving").status_code == 201


def _steadily_healthy(server: LiveServer, seconds: float = 3.0) -> bool:
    """Whether the server answers every health check for `seconds` (longer than `serve`'s
    pause before it starts granian again)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if not _healthy(server):
            return False
        time.sleep(0.1)  # checking it stays up, bounded
    return True


def _healthy(server: LiveServer) -> bool:
    try:
        return requests.get(f"{server.base_url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:  # refused while the server starts again
        return False


def test_a_server_told_to_stop_while_it_waits_to_start_again_stops(tmp_path: Path) -> None:
    # A long pause, so that the stop surely arrives during it.
    with running(tmp_path, workers=1, env={"RESTART_PAUSE_SECONDS": "120"}) as servers:
        server = servers[0]
        process = server._process
        assert process is not None
        first = _workers(server)[0]
        first.send_signal(signal.SIGKILL)
        replacement = _poll(lambda: [w for w in _workers(server) if w.pid != first.pid],
                            "a worker replaced the killed one")[0]
        replacement.send_signal(signal.SIGKILL)  # a crash loop: granian gives up
        _poll(lambda: "starting the server again in 120 s" in server.log_tail(40),
              "serve said it would start again")

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=POLL_SECONDS) == 0
        assert "told to stop; not starting again" in server.log_tail(40)
