"""`apikeys delete` and `users delete` ask first, as `apps delete` does (issue 19).

Without a terminal they refuse unless --yes is given, and nothing is deleted; a person is
asked, and only "y" deletes.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.cli import options
from tests.cli.driver import Cli, one_error_line
from tests.support.admin_api import LiveAdmin


def _key_user_id(admin_api: LiveAdmin, app: dict[str, Any], name: str) -> str:
    [user] = [u for u in admin_api.users(app["_id"]) if u["data"].get("name") == name]
    return str(user["_id"])


def _deletion(kind: str, admin_api: LiveAdmin, app: dict[str, Any]) -> tuple[list[str], Any]:
    """The command line that deletes a new row of `kind`, and how to see whether it is there."""
    admin_api.new_server_key(app["_id"], "doomed")
    if kind == "apikeys":
        return (["apikeys", "delete", "--app", app["name"], "--key", "doomed"],
                lambda: [key["name"] for key in admin_api.server_keys(app["_id"])] == ["doomed"])
    user_id = _key_user_id(admin_api, app, "doomed")
    return (["users", "delete", "--app", app["name"], "--user", user_id],
            lambda: user_id in [user["_id"] for user in admin_api.users(app["_id"])])


@pytest.mark.parametrize("kind", ["apikeys", "users"])
def test_without_a_terminal_a_deletion_needs_yes_and_changes_nothing(
    kind: str, logged_in: Cli, keys_app: dict[str, Any], admin_api: LiveAdmin
) -> None:
    command, still_there = _deletion(kind, admin_api, keys_app)

    line = one_error_line(logged_in.fails(*command))

    assert "pass --yes" in line
    assert still_there()


@pytest.mark.parametrize("kind", ["apikeys", "users"])
def test_with_yes_a_deletion_goes_ahead_without_a_question(
    kind: str, logged_in: Cli, keys_app: dict[str, Any], admin_api: LiveAdmin
) -> None:
    command, still_there = _deletion(kind, admin_api, keys_app)

    result = logged_in.ok(*command, "--yes")

    assert result.stdout.startswith("Deleted ")
    assert "?" not in result.stderr
    assert not still_there()


@pytest.mark.parametrize("kind", ["apikeys", "users"])
@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_a_person_is_asked_what_goes_and_only_yes_deletes(
    kind: str, answer: str, deleted: bool, logged_in: Cli, keys_app: dict[str, Any],
    admin_api: LiveAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options, "stdin_is_interactive", lambda: True)
    command, still_there = _deletion(kind, admin_api, keys_app)

    result = logged_in.run(*command, input=answer)

    consequence = ("with its server user and sessions?" if kind == "apikeys"
                   else "with its identities, API keys and sessions?")
    assert f"of app {keys_app['name']} ({keys_app['client_app_id']}), {consequence}" \
        in result.stderr
    assert (result.exit_code == 0) is deleted
    assert still_there() is not deleted
