"""Steps of features/command_line.feature: the `appservices` command, S6 and S17.

Black-box like every step here. A command is the installed `appservices` program (the one
beside this interpreter, e.g. .venv/bin/appservices), run in a process of its own, in the
scenario's own folder, with its profiles in that folder too (APPSERVICES_CONFIG_DIR), so
nothing touches the profiles of whoever runs the suite. It logs in with the admin key pair
the other steps use, to the server the other steps talk to (`--base-url` included). What a
command did is checked over HTTP with `requests`, through the Admin and Client APIs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.acceptance.world import Key, World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/command_line.feature")

PROGRAM = "appservices"
APP_ID = "$APP_ID"  # in a command of the feature: the client App ID of the scenario's app
COMMAND_TIMEOUT_SECONDS = 60
# What `users create --type=api-key` prints on stdout (the value goes nowhere else).
CREATED_KEY = re.compile(
    r"^Created server API key '(?P<name>[^']*)' in app (?P<app>.*)\.\n"
    r"  _id:  (?P<id>\S+)\n"
    r"  Key:  (?P<key>\S+)$",
    re.MULTILINE,
)
KEY_WARNING = "Copy the key now: it cannot be retrieved later."


def _program() -> str:
    """The `appservices` executable installed beside the running interpreter."""
    found = shutil.which(PROGRAM, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"no `{PROGRAM}` program beside {sys.executable}: install the project "
                    "into this environment (`pip install -e '.[test]'`, or scripts/test)",
                    pytrace=False)
    return found


@dataclass
class CommandLine:
    """The admin at a shell: a folder to work in, a profile folder, the last command run."""

    program: str
    folder: Path
    env: dict[str, str]
    args: list[str] | None = None
    result: subprocess.CompletedProcess[str] | None = None
    providers_before: list[dict[str, Any]] | None = None  # before the last `When` command
    logged_in: bool = False

    def run(self, args: list[str], answers: str = "") -> subprocess.CompletedProcess[str]:
        """Run `appservices ARGS`; `answers` is everything its standard input will hold.

        Standard input is never a terminal here, so a prompt with no answer left makes
        the command stop with an error instead of waiting.
        """
        self.args = args
        self.result = subprocess.run(
            [self.program, *args], input=answers, capture_output=True, text=True,
            cwd=self.folder, env=self.env, timeout=COMMAND_TIMEOUT_SECONDS, check=False,
        )
        return self.result

    def report(self) -> str:
        """What the last command was and what it printed, for assertion messages."""
        assert self.result is not None, "no command was run"
        return (f"`{shlex.join([PROGRAM, *(self.args or [])])}` exited with "
                f"{self.result.returncode}\n--- stdout\n{self.result.stdout}"
                f"--- stderr\n{self.result.stderr}")


@pytest.fixture
def command_line(world: World, tmp_path: Path) -> Iterator[CommandLine]:
    folder = tmp_path / "work"
    folder.mkdir()
    env = {name: value for name, value in os.environ.items()
           if name not in ("APPSERVICES_PROFILE", "APPSERVICES_URL")}
    env["APPSERVICES_CONFIG_DIR"] = str(tmp_path / "config")
    shell = CommandLine(_program(), folder, env)
    yield shell
    if shell.logged_in:  # end the CLI's session on the server; tidy, not a check
        shell.run(["logout"])


def _arguments(world: World, command: str) -> list[str]:
    words = shlex.split(command)
    assert words and words[0] == PROGRAM, f"a command of the feature starts with {PROGRAM}"
    return [word.replace(APP_ID, world.client_app_id) for word in words[1:]]


def _remember_created_key(world: World, shell: CommandLine) -> None:
    """Copy the value of a key the command created from its output, as a person would."""
    assert shell.result is not None
    if shell.result.returncode != 0:
        return
    for created in CREATED_KEY.finditer(shell.result.stdout):
        world.keys[created["name"]] = Key(created["name"], created["id"], created["key"],
                                          "server", created_at=len(world.http.history))


def _providers(world: World) -> list[dict[str, Any]]:
    """Every provider of the app with its configuration, as the Admin API has it."""
    listed = world.app_call("GET", "/auth_providers")
    assert listed.status_code == 200, listed.text
    return sorted((world.provider(summary["type"]) for summary in listed.json()),
                  key=lambda provider: str(provider["type"]))


def _run(world: World, shell: CommandLine, command: str, answers: str = "") -> None:
    shell.run(_arguments(world, command), answers)
    _remember_created_key(world, shell)


# --- running commands ----------------------------------------------------------------


@given('the admin has logged in with "appservices login"')
def the_admin_has_logged_in(command_line: CommandLine, world: World, base_url: str) -> None:
    public_key, private_key = world.admin.public_key, world.admin.private_key
    result = command_line.run(["login", "--api-key", public_key,
                               "--private-api-key", private_key, "--url", base_url])
    assert result.returncode == 0, command_line.report()
    command_line.logged_in = True
    assert result.stdout.startswith(f"Logged in to {base_url} as {public_key} "), (
        command_line.report())


@given(pattern('the admin has run "{command}"'))
def the_admin_has_run(command_line: CommandLine, world: World, command: str) -> None:
    _run(world, command_line, command)
    assert command_line.result is not None
    assert command_line.result.returncode == 0, command_line.report()


@when(pattern('the admin runs "{command}"'))
def the_admin_runs(command_line: CommandLine, world: World, command: str) -> None:
    command_line.providers_before = _providers(world)
    _run(world, command_line, command)


@when(pattern('the admin runs "{command}" and answers its prompts with:'))
def the_admin_runs_and_answers(command_line: CommandLine, world: World, command: str,
                               datatable: list[list[str]]) -> None:
    answers = "".join(row[0].replace(APP_ID, world.client_app_id) + "\n" for row in datatable)
    command_line.providers_before = _providers(world)
    _run(world, command_line, command, answers)


# --- what a command printed ------------------------------------------------------------


@then("the command succeeds")
def the_command_succeeds(command_line: CommandLine) -> None:
    assert command_line.result is not None, "no command was run"
    assert command_line.result.returncode == 0, command_line.report()


@then(parsers.parse("the command fails with exit status {status:d} and says:"))
def the_command_fails(command_line: CommandLine, status: int, docstring: str) -> None:
    result = command_line.result
    assert result is not None, "no command was run"
    assert result.returncode == status, command_line.report()
    assert result.stderr.strip() == docstring.strip(), command_line.report()


@then(pattern('it asked for "{first}" and then for "{second}"'))
def it_asked_for(command_line: CommandLine, first: str, second: str) -> None:
    """The prompts, in order, on stderr (click adds a proposed answer in brackets).

    Standard input is not a terminal, so the answers are not echoed after the prompts.
    """
    assert command_line.result is not None, "no command was run"
    prompts = r"".join(re.escape(text) + r"(?: \[[^\]\n]*\])?: " for text in (first, second))
    assert re.match(prompts, command_line.result.stderr), command_line.report()


@then(pattern('it printed the value of the new "{name}" key once, and said to copy it now'))
def it_printed_the_key_once(command_line: CommandLine, world: World, name: str) -> None:
    result = command_line.result
    assert result is not None, "no command was run"
    assert name in world.keys, f"no key named {name!r} in the output:\n{command_line.report()}"
    created = CREATED_KEY.search(result.stdout)
    assert created is not None and created["name"] == name, command_line.report()
    assert created["app"].endswith(f"({world.client_app_id})"), command_line.report()
    value = world.keys[name].value
    assert value.startswith("ask_"), value
    assert (result.stdout + result.stderr).count(value) == 1, command_line.report()
    assert KEY_WARNING in result.stderr, command_line.report()


@then(pattern('it printed the change "{change}"'))
def it_printed_the_change(command_line: CommandLine, change: str) -> None:
    assert command_line.result is not None, "no command was run"
    lines = [" ".join(line.split()) for line in command_line.result.stdout.splitlines()]
    assert " ".join(change.split()) in lines, command_line.report()


@then(pattern('it printed "{text}"'))
def it_printed(command_line: CommandLine, text: str) -> None:
    assert command_line.result is not None, "no command was run"
    assert text in command_line.result.stdout, command_line.report()


# --- files ----------------------------------------------------------------------------


@then(pattern('"{path}" holds exactly this JSON:'))
def the_file_holds(command_line: CommandLine, path: str, docstring: str) -> None:
    written = json.loads((command_line.folder / path).read_text(encoding="utf-8"))
    assert written == json.loads(docstring), json.dumps(written, indent=2)


@when(pattern('the admin sets "{field}" to {value} in the "{entry}" entry of "{path}"'))
def the_admin_edits_a_field(command_line: CommandLine, field: str, value: str, entry: str,
                            path: str) -> None:
    file = command_line.folder / path
    document = json.loads(file.read_text(encoding="utf-8"))
    document[entry][field] = json.loads(value)
    file.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")


@when(pattern('the admin writes "{path}":'))
def the_admin_writes(command_line: CommandLine, path: str, docstring: str) -> None:
    (command_line.folder / path).write_text(docstring + "\n", encoding="utf-8")


@then(pattern('pulling the app again into "{again}" writes the same auth/providers.json '
              'as "{first}"'))
def pulling_again_writes_the_same(command_line: CommandLine, world: World, again: str,
                                  first: str) -> None:
    _run(world, command_line, f"{PROGRAM} pull --local {again} --app {APP_ID}")
    assert command_line.result is not None
    assert command_line.result.returncode == 0, command_line.report()
    providers = Path("auth") / "providers.json"
    before = json.loads((command_line.folder / first / providers).read_text(encoding="utf-8"))
    after = json.loads((command_line.folder / again / providers).read_text(encoding="utf-8"))
    assert after == before


# --- the server's side, over HTTP ------------------------------------------------------


@then("the app's providers, their ids and configurations are as they were before that "
      "command")
def the_providers_are_unchanged(command_line: CommandLine, world: World) -> None:
    assert command_line.providers_before is not None, "no command was run by a When step"
    assert _providers(world) == command_line.providers_before


@then("the app's server API keys, none showing its value, are:")
def the_server_keys_are(world: World, datatable: list[list[str]]) -> None:
    listed = world.server_keys()
    seen = [(key["name"], "disabled" if key["disabled"] else "enabled") for key in listed]
    assert seen == [(row[0], row[1]) for row in datatable[1:]], listed
    assert all("key" not in key for key in listed), listed
    answer = world.http.history[-1].text
    assert not [name for name, key in world.keys.items() if key.value in answer], answer
