"""Every command explains itself with examples; shell completion comes from click."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from app.cli import main


def all_commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


def appservices() -> list[str]:
    script = shutil.which("appservices", path=str(Path(sys.executable).parent))
    assert script, "the console script is not installed next to this interpreter"
    return [script]


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_has_help_with_examples(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], prog_name="appservices")

    assert result.exit_code == 0, result.output
    assert "Examples:" in result.stdout
    assert f"appservices {' '.join(command)}" in result.stdout


def test_the_documented_commands_exist() -> None:
    commands = set(all_commands())
    for documented in [("login",), ("logout",), ("whoami",), ("apps", "create"),
                       ("apps", "list"), ("apps", "delete"), ("users", "create"),
                       ("users", "list"), ("users", "disable"), ("users", "enable"),
                       ("users", "delete"), ("users", "revoke"), ("apikeys", "list"),
                       ("apikeys", "enable"), ("apikeys", "disable"), ("apikeys", "delete"),
                       ("pull",), ("push",), ("serve",), ("admin", "create-key"),
                       ("admin", "list-keys"), ("admin", "disable-key"),
                       ("admin", "enable-key"), ("admin", "delete-key"),
                       ("admin", "migrate"), ("admin", "backup"), ("admin", "restore")]:
        assert documented in commands


def test_the_console_script_and_python_m_run_the_same_command() -> None:
    for command in (appservices(), [sys.executable, "-m", "app.cli"]):
        result = subprocess.run([*command, "--help"], capture_output=True, text=True,
                                timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: appservices ")


def test_bash_completion_is_generated_and_completes_commands() -> None:
    env = {**os.environ, "_APPSERVICES_COMPLETE": "bash_source"}
    script = subprocess.run(appservices(), env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert script.returncode == 0, script.stderr
    assert "_appservices_completion" in script.stdout

    env.update(_APPSERVICES_COMPLETE="bash_complete", COMP_WORDS="appservices us",
               COMP_CWORD="1")
    completed = subprocess.run(appservices(), env=env, capture_output=True, text=True,
                               timeout=60, check=False)
    assert "plain,users" in completed.stdout.splitlines()


def test_profile_names_complete_from_the_saved_profiles(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    for name in ("staging", "production"):
        (tmp_path / "profiles" / f"{name}.json").write_text("{}")
    env = {**os.environ, "APPSERVICES_CONFIG_DIR": str(tmp_path),
           "_APPSERVICES_COMPLETE": "bash_complete",
           "COMP_WORDS": "appservices whoami --profile st", "COMP_CWORD": "3"}

    completed = subprocess.run(appservices(), env=env, capture_output=True, text=True,
                               timeout=60, check=False)

    assert "staging" in completed.stdout and "production" not in completed.stdout
