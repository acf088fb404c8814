"""The `appservices` command run in-process through click's CliRunner, and what the CLI
tests check with it (tests/cli/conftest.py makes the fixtures)."""

from __future__ import annotations

import json
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result

from app.cli import main
from tests.support.client_api import ClientApi
from tests.support.http import Live
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY


def client_login(base_url: str, client_app_id: str, key: str) -> requests.Response:
    """Log in with an API key over the Client API, as the Realm SDKs do."""
    return ClientApi(Live(base_url)).request(
        "POST", f"/app/{client_app_id}/auth/providers/api-key/login", json={"key": key})


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


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def one_error_line(result: Result) -> str:
    """The single line a failed command printed on stderr."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]
