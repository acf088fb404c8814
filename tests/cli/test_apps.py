"""`appservices apps create | list | delete`."""

from __future__ import annotations

from typing import Any

import pytest

from app.cli import options
from tests.cli.driver import Cli, one_error_line
from tests.support.admin_api import LiveAdmin


def test_apps_create_makes_an_app_with_a_client_app_id(logged_in: Cli,
                                                       admin_api: LiveAdmin) -> None:
    result = logged_in.ok("apps", "create", "--name", "created")
    [created] = [app for app in admin_api.apps() if app["name"] == "created"]

    assert created["client_app_id"].startswith("created-")
    assert f"client App ID {created['client_app_id']}" in result.stdout
    assert "api-key provider is disabled" in result.stderr


def test_apps_create_asks_for_the_name_it_was_not_given(logged_in: Cli,
                                                        admin_api: LiveAdmin) -> None:
    logged_in.ok("apps", "create", input="asked\n")

    assert "asked" in [app["name"] for app in admin_api.apps()]


def test_apps_list_shows_every_app_as_a_table_or_as_json(logged_in: Cli,
                                                         app: dict[str, Any]) -> None:
    table = logged_in.ok("apps", "list").stdout
    listed = logged_in.json("apps", "list")

    assert table.splitlines()[0].split() == ["NAME", "CLIENT", "APP", "ID", "_ID", "GROUP"]
    assert app["client_app_id"] in table
    assert app in listed


def test_a_second_app_of_one_name_is_refused_in_one_line(logged_in: Cli,
                                                         app: dict[str, Any]) -> None:
    result = logged_in.fails("apps", "create", "--name", app["name"])

    assert one_error_line(result) == (
        f"Error: an app named '{app['name']}' already exists (AppAlreadyExists)"
    )


def test_a_bad_app_name_shows_the_servers_rule(logged_in: Cli) -> None:
    line = one_error_line(logged_in.fails("apps", "create", "--name", "9lives"))

    assert line.endswith("(InvalidParameter)") and "start with a letter" in line


@pytest.mark.parametrize("reference", ["client_app_id", "_id", "name"])
def test_apps_delete_takes_any_of_the_apps_ids(logged_in: Cli, admin_api: LiveAdmin,
                                                reference: str) -> None:
    app = logged_in.create_app()

    result = logged_in.ok("apps", "delete", "--app", app[reference], "--yes")

    assert f"Deleted app {app['name']} ({app['client_app_id']})" in result.stdout
    assert app["_id"] not in [each["_id"] for each in admin_api.apps()]


def test_apps_delete_without_a_terminal_needs_yes(logged_in: Cli, admin_api: LiveAdmin,
                                                  app: dict[str, Any]) -> None:
    line = one_error_line(logged_in.fails("apps", "delete", "--app", app["client_app_id"]))

    assert "pass --yes" in line
    assert app["_id"] in [each["_id"] for each in admin_api.apps()]


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False)])
def test_apps_delete_asks_a_person_first(logged_in: Cli, admin_api: LiveAdmin,
                                         app: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                         answer: str, deleted: bool) -> None:
    monkeypatch.setattr(options, "stdin_is_interactive", lambda: True)

    result = logged_in.run("apps", "delete", "--app", app["name"], input=answer)

    assert "with all its users and keys?" in result.stderr
    assert (result.exit_code == 0) is deleted
    assert (app["_id"] not in [each["_id"] for each in admin_api.apps()]) is deleted


def test_an_unknown_app_is_named_in_one_line(logged_in: Cli) -> None:
    line = one_error_line(logged_in.fails("apps", "delete", "--app", "no-such-app", "--yes"))

    assert "no app 'no-such-app' among the apps you can reach" in line
