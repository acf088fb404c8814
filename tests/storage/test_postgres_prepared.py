"""PostgreSQL statements are prepared on the server once a connection has run them a few
times (psycopg 3), so the hot paths are not planned anew on every request; a pooler that
cannot keep prepared statements turns that off with `?prepare_threshold=none`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import storage

pytestmark = pytest.mark.postgres

HOT_QUERY = "SELECT 1 + %s"


def _with_query(url: str, parameter: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{parameter}"


def _prepared_after_running_hot_query(database_url: str, runs: int) -> list[str]:
    """Run HOT_QUERY `runs` times on one pooled connection; return what it has prepared."""
    storage.connect_database(database_url)
    storage.open_connection()
    try:
        for run in range(runs):
            assert storage.database.execute_sql(HOT_QUERY, (run,)).fetchone() == (1 + run,)
        cursor = storage.database.execute_sql("SELECT statement FROM pg_prepared_statements")
        return [statement for statement, in cursor.fetchall()]
    finally:
        storage.release_connection()  # the pool itself is closed by _closed_afterwards


@pytest.fixture(autouse=True)
def _closed_afterwards() -> Iterator[None]:
    yield
    storage.close_all()


def test_a_statement_run_again_and_again_on_a_connection_is_prepared_on_the_server(
    postgres_url: str,
) -> None:
    prepared = _prepared_after_running_hot_query(postgres_url, runs=10)

    assert any("SELECT 1 + $1" in statement for statement in prepared), prepared


def test_prepare_threshold_none_in_the_database_url_prepares_nothing(postgres_url: str) -> None:
    prepared = _prepared_after_running_hot_query(
        _with_query(postgres_url, "prepare_threshold=none"), runs=10)

    assert prepared == []


def test_a_prepare_threshold_that_is_no_number_is_refused_with_a_clear_message(
    postgres_url: str,
) -> None:
    with pytest.raises(ValueError, match="prepare_threshold must be a number or 'none'"):
        storage.connect_database(_with_query(postgres_url, "prepare_threshold=soon"))
