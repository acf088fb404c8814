"""What a newcomer trips over on the command line (issue 19): --profile before the
subcommand, a disabled provider behind a list of enabled keys, group names in `whoami`,
and `pull` into a folder that holds something else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import options
from tests.cli.driver import Cli, one_error_line
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY

PROVIDER_DISABLED = "The API key provider of app"


# --- --profile and --url before the subcommand ---------------------------------------


@pytest.mark.parametrize("where", [
    ["--profile", "staging", "apps", "list"],
    ["apps", "--profile", "staging", "list"],
    ["apps", "list", "--profile", "staging"],
])
def test_profile_is_taken_before_the_group_before_the_subcommand_or_after_it(
    cli: Cli, where: list[str]
) -> None:
    cli.login("--profile", "staging")  # only this profile exists

    cli.ok(*where)


def test_the_subcommands_own_profile_wins_over_one_given_before(cli: Cli) -> None:
    cli.login("--profile", "staging")

    line = one_error_line(cli.fails("apps", "--profile", "nowhere", "list"))
    assert "not logged in (profile 'nowhere')" in line
    cli.ok("apps", "--profile", "nowhere", "list", "--profile", "staging")


def test_url_and_profile_before_login_are_logins_own(cli: Cli) -> None:
    cli.ok("--url", cli.base_url, "--profile", "ops", "login",
           "--api-key", ADMIN_PUBLIC_KEY, "--private-api-key", ADMIN_PRIVATE_KEY)

    assert cli.profile("ops")["url"] == cli.base_url
    assert not cli.profile_path("default").exists()


# --- apikeys list and the provider ----------------------------------------------------


def test_apikeys_list_says_when_the_provider_is_disabled(logged_in: Cli,
                                                         app: dict[str, Any]) -> None:
    result = logged_in.ok("apikeys", "list", "--app", app["name"])

    assert PROVIDER_DISABLED in result.stderr and "is disabled" in result.stderr
    assert PROVIDER_DISABLED not in result.stdout  # --json and tables stay clean


def test_apikeys_list_says_nothing_more_once_the_provider_is_enabled(
    logged_in: Cli, keys_app: dict[str, Any]
) -> None:
    result = logged_in.ok("apikeys", "list", "--app", keys_app["name"])

    assert PROVIDER_DISABLED not in result.stderr


# --- whoami ---------------------------------------------------------------------------


def test_whoami_names_the_groups(logged_in: Cli) -> None:
    described = logged_in.json("whoami")
    [group_id] = described["groups"]

    assert described["group_names"] == {group_id: "default"}
    assert f"default ({group_id})" in logged_in.ok("whoami").stdout


# --- pull into a folder that holds something else -------------------------------------


@pytest.fixture
def busy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    return folder


def test_pull_into_a_folder_of_other_files_needs_yes_without_a_terminal(
    logged_in: Cli, app: dict[str, Any], busy_folder: Path
) -> None:
    line = one_error_line(logged_in.fails("pull", "--local", str(busy_folder),
                                          "--app", app["name"]))

    assert "pass --yes" in line
    assert sorted(path.name for path in busy_folder.iterdir()) == ["notes.txt"]
    logged_in.ok("pull", "--local", str(busy_folder), "--app", app["name"], "--yes")
    assert (busy_folder / "auth" / "providers.json").is_file()


@pytest.mark.parametrize(("answer", "written"), [("y\n", True), ("n\n", False)])
def test_pull_into_a_folder_of_other_files_asks_a_person(
    logged_in: Cli, app: dict[str, Any], busy_folder: Path, answer: str, written: bool,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options, "stdin_is_interactive", lambda: True)

    result = logged_in.run("pull", "--local", str(busy_folder), "--app", app["name"],
                           input=answer)

    assert "holds other files" in result.stderr
    assert (busy_folder / "realm_config.json").is_file() is written


def test_pull_into_an_empty_folder_or_its_own_configuration_asks_nothing(
    logged_in: Cli, app: dict[str, Any], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    logged_in.ok("pull", "--local", str(empty), "--app", app["name"])
    logged_in.ok("pull", "--local", str(empty))  # again: it is the app's configuration
