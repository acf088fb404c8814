"""The `appservices` command run through click's CliRunner against a live server.

One server (`appservices serve` on SQLite) per test session and xdist worker; each test
gets its own profile folder (APPSERVICES_CONFIG_DIR under tmp_path) and makes apps with
names of its own, so tests never see each other's state. Prompts are answered through
the runner's `input`. What the commands did is checked over HTTP, not through the CLI.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from app.cli import main
from tests.support.admin_api import AdminApi, LiveAdmin
from tests.support.http import CLIENT_BASE, TIMEOUT_SECONDS, Live
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, LiveServer


@pytest.fixture(scope="session")
def server(live_server: LiveServer) -> LiveServer:
    """The session's live server (tests/conftest.py)."""
    return live_server


@pytest.fixture(scope="session")
def admin_api(server: LiveServer) -> LiveAdmin:
    """The Admin API spoken directly, to set up and to check what the CLI did."""
    return AdminApi(Live(server.base_url)).log_in()


def client_login(base_url: str, client_app_id: str, key: str) -> requests.Response:
    """Log in with an API key over the Client API, as the Realm SDKs do."""
    return requests.post(
        f"{base_url}{CLIENT_BASE}/app/{client_app_id}/auth/providers/api-key/login",
        json={"key": key}, timeout=TIMEOUT_SECONDS,
    )


@dataclass
class Cli:
    """Runs `appservices ...` in-process with a profile folder of the test's own."""

    base_url: str
    config_dir: Path
    runner: CliRunner

    @property
    def env(self) -> dict[str, str | None]:
        return {"APPSERVICES_CONFIG_DIR": str(self.config_dir), "APPSERVICES_PROFILE": None,
                "APPSERVICES_URL": None, "XDG_CONFIG_HOME": None}

    def run(self, *args: str, input: str | None = None,
            env: dict[str, str] | None = None) -> Result:
        result = self.runner.invoke(main, list(args), input=input,
                                    env={**self.env, **(env or {})}, prog_name="appservices")
        # Whatever happened, it was said in words: no exception escaped the command.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"appservices {' '.join(args)} raised {result.exception!r}:\n{result.output}"
        )
        assert "Traceback" not in result.output
        return result

    def ok(self, *args: str, input: str | None = None,
           env: dict[str, str] | None = None) -> Result:
        result = self.run(*args, input=input, env=env)
        assert result.exit_code == 0, f"appservices {' '.join(args)}:\n{result.output}"
        return result

    def fails(self, *args: str, input: str | None = None) -> Result:
        result = self.run(*args, input=input)
        assert result.exit_code != 0, f"appservices {' '.join(args)} succeeded:\n{result.output}"
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input).stdout)

    def login(self, *extra: str) -> Result:
        return self.ok("login", "--api-key", ADMIN_PUBLIC_KEY,
                       "--private-api-key", ADMIN_PRIVATE_KEY, "--url", self.base_url, *extra)

    def profile_path(self, name: str = "default") -> Path:
        return self.config_dir / "profiles" / f"{name}.json"

    def profile(self, name: str = "default") -> dict[str, Any]:
        saved: dict[str, Any] = json.loads(self.profile_path(name).read_text())
        return saved

    def edit_profile(self, name: str = "default", **fields: str) -> None:
        saved = self.profile(name)
        saved.update(fields)
        self.profile_path(name).write_text(json.dumps(saved))

    def create_app(self) -> dict[str, Any]:
        """Create an app with a unique name through the CLI; return the server's answer."""
        created: dict[str, Any] = self.json("apps", "create",
                                            "--name", f"cli{uuid.uuid4().hex[:10]}")
        return created


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


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def one_error_line(result: Result) -> str:
    """The single line a failed command printed on stderr."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]
