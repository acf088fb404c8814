"""The `appservices` command run through click's CliRunner against a live server.

One server (`appservices serve` on SQLite) per test session and xdist worker; each test
gets its own profile folder (APPSERVICES_CONFIG_DIR under tmp_path) and makes apps with
names of its own, so tests never see each other's state. Prompts are answered through
the runner's `input`. What the commands did is checked over HTTP, not through the CLI.
The CLI driver is in driver.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.cli.driver import Cli
from tests.support.admin_api import AdminApi, LiveAdmin
from tests.support.http import Live
from tests.support.live_server import LiveServer


@pytest.fixture(scope="session")
def server(live_server: LiveServer) -> LiveServer:
    """The session's live server (tests/conftest.py)."""
    return live_server


@pytest.fixture(scope="session")
def admin_api(server: LiveServer) -> LiveAdmin:
    """The Admin API spoken directly, to set up and to check what the CLI did."""
    return AdminApi(Live(server.base_url)).log_in()


@pytest.fixture
def cli(server: LiveServer, tmp_path: Path) -> Cli:
    """The CLI, not logged in."""
    return Cli(server.base_url, tmp_path / "config", CliRunner())


@pytest.fixture
def logged_in(cli: Cli) -> Cli:
    """The CLI, logged in with the server's admin pair in the default profile."""
    cli.login()
    return cli


@pytest.fixture
def app(logged_in: Cli) -> dict[str, Any]:
    """A new app (its api-key provider disabled, as every new app's)."""
    return logged_in.create_app()


@pytest.fixture
def keys_app(app: dict[str, Any], admin_api: LiveAdmin) -> dict[str, Any]:
    """A new app whose api-key provider is enabled."""
    admin_api.enable_api_keys(app["_id"])
    return app
