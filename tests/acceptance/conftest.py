"""The deployment the scenarios run against; the steps that several features share are in
steps.py (imported below so that every feature sees them).

By default every scenario runs twice, on servers the suite starts itself: `appservices
serve` on SQLite, then on a throw-away PostgreSQL, both with the test clock switched on
(APPSERVICES_TEST_CLOCK=1) and their pruner running every second (PRUNE_INTERVAL_SECONDS=1,
so that a scenario sees old app log entries go once it moves the clock past them). Each
server starts once per test session (per xdist worker).
`--base-url URL` (registered in options.py) runs the scenarios once, against that
deployment instead; its admin key pair then comes from APPSERVICES_ADMIN_PUBLIC_KEY /
APPSERVICES_ADMIN_PRIVATE_KEY.

Black-box: steps speak HTTP with `requests` and import nothing from the service.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator

import pytest

from tests.acceptance.steps import *  # noqa: F403 (pytest-bdd finds step definitions here)
from tests.acceptance.world import World
from tests.support.admin_api import AdminApi
from tests.support.http import CLOCK, Live
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer
from tests.support.postgres import PostgresServer, external_postgres_url, new_database

EXTERNAL = "deployment"
# The servers this session started, by target, so that a failure can show their log.
_SERVERS: dict[str, LiveServer] = {}


def pytest_configure(config: pytest.Config) -> None:
    # Scenario tags become markers (`pytest -m S13` runs what shows S13).
    for number in range(1, 100):
        config.addinivalue_line("markers", f"S{number}: shows statement S{number} of the seed")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the tail of the server's log to the report of a failed scenario."""
    report: pytest.TestReport = yield
    callspec = getattr(item, "callspec", None)
    if report.failed and callspec is not None:
        server = _SERVERS.get(str(callspec.params.get("base_url")))
        if server is not None:
            report.sections.append(("appservices server log (tail)", server.log_tail()))
    return report


def _external_base_url(config: pytest.Config) -> str | None:
    url: str | None = config.getoption("base_url", default=None)
    return url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each scenario on every database, or once on the deployment named by --base-url."""
    if "base_url" not in metafunc.fixturenames:
        return
    if _external_base_url(metafunc.config):
        targets: list[object] = [EXTERNAL]
    else:
        targets = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
    metafunc.parametrize("base_url", targets, indirect=True, scope="session")


@pytest.fixture(scope="session")
def acceptance_database_url() -> Iterator[str]:
    """A PostgreSQL database of the acceptance servers' own, never shared with other tests."""
    name = f"appservices_acceptance_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    external = external_postgres_url()
    if external:
        yield new_database(external, name)
        return
    with PostgresServer() as server:
        yield server.create_database(name)


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the server under test (parametrised by pytest_generate_tests)."""
    target: str = request.param
    if target == EXTERNAL:
        url = _external_base_url(request.config)
        assert url is not None
        yield url.rstrip("/")
        return
    database_url = (request.getfixturevalue("acceptance_database_url")
                    if target == "postgres" else None)
    instance = tmp_path_factory.mktemp(f"acceptance-{target}")
    with LiveServer(instance, database_url=database_url,
                    env={"APPSERVICES_TEST_CLOCK": "1", "PRUNE_INTERVAL_SECONDS": "1"}) as server:
        _SERVERS[target] = server
        yield server.base_url
        del _SERVERS[target]


@pytest.fixture(scope="session")
def admin_credentials(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The admin key pair: the suite's own, or the one for --base-url from the environment."""
    if not _external_base_url(request.config):
        return ADMIN_PUBLIC_KEY, ADMIN_PRIVATE_KEY
    public_key = os.environ.get("APPSERVICES_ADMIN_PUBLIC_KEY", "")
    private_key = os.environ.get("APPSERVICES_ADMIN_PRIVATE_KEY", "")
    if not (public_key and private_key):
        pytest.fail("--base-url needs the deployment's admin key pair in "
                    "APPSERVICES_ADMIN_PUBLIC_KEY and APPSERVICES_ADMIN_PRIVATE_KEY",
                    pytrace=False)
    return public_key, private_key


@pytest.fixture
def world(base_url: str, admin_credentials: tuple[str, str]) -> Iterator[World]:
    """A scenario's state. Afterwards the clock is back at real time and its app is gone."""
    http = Live(base_url, keep_history=True)
    state = World(http, AdminApi(http, *admin_credentials).log_in())
    yield state
    if state.clock_moved:
        reset = http.request("POST", CLOCK, json={"reset": True})
        assert reset.status_code == 200, f"could not reset the server's clock: {reset.text}"
    if state.app_id:
        state.app_call("DELETE")  # tidy, for deployments that live on; not part of a check
    http.close()
