"""The PostgreSQL pool (app.storage.postgres): no health round trip for a connection given
back a moment ago; one that sat idle is checked, and replaced when the server dropped it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import peewee
import psycopg
import pytest

from app import storage
from app.storage import postgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def pool(postgres_url: str) -> Iterator[peewee.Database]:
    database = storage.connect_database(postgres_url)
    yield database
    storage.close_all()


@pytest.fixture
def health_checks(pool: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every health round trip the pool makes (peewee's check as a connection leaves it)."""
    checked: list[Any] = []
    check = pool._adapter.is_connection_closed

    def counting(conn: Any) -> bool:
        checked.append(conn)
        return bool(check(conn))

    monkeypatch.setattr(pool._adapter, "is_connection_closed", counting)
    return checked


def backend_pid() -> int:
    return int(storage.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])


def one_request() -> int:
    """Take a connection as a request does, use it, give it back; return its server pid."""
    storage.open_connection()
    try:
        return backend_pid()
    finally:
        storage.release_connection()


def terminate(postgres_url: str, pid: int) -> None:
    with psycopg.connect(postgres_url) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_given_back_a_moment_ago_is_reused_without_a_round_trip(
    health_checks: list[Any],
) -> None:
    first = one_request()

    assert [one_request() for _ in range(3)] == [first] * 3  # the same connection
    assert health_checks == []


def test_a_connection_that_sat_idle_is_checked_and_replaced_if_the_server_dropped_it(
    postgres_url: str, health_checks: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = one_request()
    terminate(postgres_url, first)
    monkeypatch.setattr(postgres, "CHECK_AFTER_IDLE_SECONDS", 0)  # it has been idle

    replacement = one_request()

    assert len(health_checks) == 1 and replacement != first


def test_a_connection_dropped_a_moment_ago_fails_one_request_and_is_thrown_away(
    postgres_url: str, health_checks: list[Any],
) -> None:
    first = one_request()
    terminate(postgres_url, first)

    storage.open_connection()
    with pytest.raises((peewee.OperationalError, peewee.InterfaceError)):
        backend_pid()  # the request answers 503 with Retry-After (app.http.errors) ...
    storage.discard_connection()  # ... and throws the connection away, as this does

    assert one_request() != first
