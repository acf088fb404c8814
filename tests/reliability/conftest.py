"""Fixtures of the reliability tests: live servers on SQLite (several gunicorn workers) and
pairs of separate servers sharing one PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.deployment import Deployment, running
from tests.support.live_server import LiveServer
from tests.support.postgres import NewDatabase, drop_database, new_database


@pytest.fixture
def new_pg_database(postgres_url: str) -> Iterator[NewDatabase]:
    """Make fresh PostgreSQL databases on the suite's server, for servers of a test's own;
    drop them afterwards (the server may be a developer's own, APPSERVICES_TEST_DATABASE_URL)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    made: list[str] = []

    def new() -> str:
        made.append(new_database(postgres_url, f"reliability_{worker}_{uuid.uuid4().hex[:12]}"))
        return made[-1]

    yield new
    for database_url in made:
        drop_database(database_url)


@pytest.fixture
def server_env() -> dict[str, str]:
    """Settings the live servers below start with; a test module overrides it."""
    return {}


@pytest.fixture
def sqlite_servers(tmp_path: Path, server_env: dict[str, str]) -> Iterator[list[LiveServer]]:
    """One server with four workers (four processes) on one SQLite file."""
    with running(tmp_path, workers=4, env=server_env) as servers:
        yield servers


@pytest.fixture
def pg_servers(tmp_path: Path, new_pg_database: NewDatabase,
               server_env: dict[str, str]) -> Iterator[list[LiveServer]]:
    """Two separate servers (four workers each) on one PostgreSQL."""
    with running(tmp_path, database_url=new_pg_database(), count=2, workers=4,
                 env=server_env) as servers:
        yield servers


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def servers(request: pytest.FixtureRequest) -> list[LiveServer]:
    """The live servers of either database (see `sqlite_servers` and `pg_servers`)."""
    name = "sqlite_servers" if request.param == "sqlite" else "pg_servers"
    started: list[LiveServer] = request.getfixturevalue(name)
    return started


@pytest.fixture
def deployment(servers: list[LiveServer]) -> Deployment:
    return Deployment([server.base_url for server in servers])
