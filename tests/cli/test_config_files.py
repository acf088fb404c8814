"""`appservices pull` and `appservices push`: auth/providers.json in the documented form.

    { "api-key": { "name": "api-key", "type": "api-key", "disabled": false } }
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import options
from tests.cli.driver import Cli, one_error_line
from tests.support.admin_api import LiveAdmin


def providers_file(folder: Path) -> Path:
    return folder / "auth" / "providers.json"


def read(folder: Path) -> Any:
    return json.loads(providers_file(folder).read_text())


def write(folder: Path, document: Any) -> None:
    providers_file(folder).write_text(json.dumps(document, indent=4))


@pytest.fixture
def pulled(logged_in: Cli, app: dict[str, Any], tmp_path: Path) -> Path:
    """A folder that `appservices pull` wrote from the app."""
    folder = tmp_path / "myapp"
    logged_in.ok("pull", "--local", str(folder), "--app", app["client_app_id"])
    return folder


def test_pull_writes_the_documented_form(logged_in: Cli, app: dict[str, Any],
                                         pulled: Path) -> None:
    assert read(pulled) == {"api-key": {"name": "api-key", "type": "api-key",
                                        "disabled": True}}
    app_file = json.loads((pulled / "realm_config.json").read_text())
    assert app_file["app_id"] == app["client_app_id"]
    assert app_file["name"] == app["name"]


def test_pull_edit_push_enables_the_api_key_provider(logged_in: Cli, app: dict[str, Any],
                                                     pulled: Path,
                                                     admin_api: LiveAdmin) -> None:
    document = read(pulled)
    document["api-key"]["disabled"] = False
    write(pulled, document)

    result = logged_in.ok("push", "--local", str(pulled), "--yes")

    assert "~ api-key  enable" in result.stdout
    assert f"Pushed 1 change to app {app['name']}" in result.stdout
    assert admin_api.providers(app["_id"])["api-key"]["disabled"] is False
    # The documented key creation now works.
    created = logged_in.json("users", "create", "--type=api-key", "--app", app["name"],
                             "--name", "after-push")
    assert created["key"].startswith("ask_")


def test_pull_then_push_changes_nothing(logged_in: Cli, app: dict[str, Any], pulled: Path,
                                        admin_api: LiveAdmin) -> None:
    before = admin_api.providers(app["_id"])

    result = logged_in.ok("push", "--local", str(pulled))

    assert result.stdout.startswith(f"Nothing to change: app {app['name']}")
    assert admin_api.providers(app["_id"]) == before


INVALID_ENTRIES = {
    "a name other than the type": (
        {"api-key": {"name": "apikey", "type": "api-key", "disabled": False}},
        'entry "api-key": name "apikey" differs from its type "api-key"',
    ),
    "an unknown type": (
        {"api-key": {"name": "api-key", "type": "api-key", "disabled": False},
         "oauth2-google": {"name": "oauth2-google", "type": "oauth2-google", "disabled": False}},
        'entry "oauth2-google": unknown provider type "oauth2-google"',
    ),
    "a key other than the name": (
        {"apikey": {"name": "api-key", "type": "api-key", "disabled": False}},
        'entry "apikey": is keyed "apikey" but named "api-key"',
    ),
    "disabled as a string": (
        {"api-key": {"name": "api-key", "type": "api-key", "disabled": "false"}},
        'entry "api-key": "disabled" must be true or false, not "false"',
    ),
    "no disabled": (
        {"api-key": {"name": "api-key", "type": "api-key"}},
        'entry "api-key": "disabled" is missing',
    ),
    "configuration on the api-key provider": (
        {"api-key": {"name": "api-key", "type": "api-key", "disabled": False,
                     "config": {"ttl": 5}}},
        'entry "api-key": the "api-key" provider has no configuration options',
    ),
    "an unknown field": (
        {"api-key": {"name": "api-key", "type": "api-key", "disabled": False, "enabled": True}},
        'entry "api-key": unknown field "enabled"',
    ),
    "an entry that is not an object": (
        {"api-key": {"name": "api-key", "type": "api-key", "disabled": False},
         "anon-user": True},
        'entry "anon-user": must be an object',
    ),
}


@pytest.mark.parametrize(("document", "message"), list(INVALID_ENTRIES.values()),
                         ids=list(INVALID_ENTRIES))
def test_an_invalid_entry_is_refused_naming_file_and_entry_and_nothing_changes(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
    document: dict[str, Any], message: str,
) -> None:
    # The file also asks for valid changes (add anon-user, mostly enable api-key): none is made.
    document = {"anon-user": {"name": "anon-user", "type": "anon-user", "disabled": False},
                **document}
    write(pulled, document)
    before = admin_api.providers(app["_id"])

    result = logged_in.fails("push", "--local", str(pulled), "--yes")

    lines = result.stderr.splitlines()
    assert any(line.startswith(f"Error: {providers_file(pulled)}: {message}")
               for line in lines), result.stderr
    assert lines[-1] == "Nothing was changed."
    assert result.stdout == ""
    assert admin_api.providers(app["_id"]) == before


def test_every_invalid_entry_is_reported_at_once(logged_in: Cli, pulled: Path) -> None:
    write(pulled, {"api-key": {"name": "apikey", "type": "api-key", "disabled": False},
                   "saml": {"name": "saml", "type": "saml", "disabled": False}})

    result = logged_in.fails("push", "--local", str(pulled), "--yes")

    assert 'entry "api-key": name "apikey"' in result.stderr
    assert 'entry "saml": unknown provider type "saml"' in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ('{"api-key": {"name": "api-key", "type": "api-key", "disabled": false,}}',
     "not valid JSON"),
    ('{"api-key": {"name": "api-key", "type": "api-key", "disabled": true},'
     ' "api-key": {"name": "api-key", "type": "api-key", "disabled": false}}',
     '"api-key" appears twice in one object'),
    ('["api-key"]', "must be an object of providers keyed by name"),
])
def test_a_file_that_is_not_a_providers_object_is_refused(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
    text: str, message: str,
) -> None:
    providers_file(pulled).write_text(text)
    before = admin_api.providers(app["_id"])

    result = logged_in.fails("push", "--local", str(pulled), "--yes")

    assert result.stderr.startswith(f"Error: {providers_file(pulled)}: ")
    assert message in result.stderr
    assert admin_api.providers(app["_id"]) == before


def test_push_without_a_terminal_needs_yes_and_changes_nothing(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
) -> None:
    write(pulled, {"api-key": {"name": "api-key", "type": "api-key", "disabled": False}})

    result = logged_in.fails("push", "--local", str(pulled))

    assert "~ api-key  enable" in result.stdout  # the difference is shown first
    assert "pass --yes" in one_error_line(result)
    assert admin_api.providers(app["_id"])["api-key"]["disabled"] is True


@pytest.mark.parametrize(("answer", "enabled"), [("y\n", True), ("n\n", False)])
def test_push_asks_a_person_before_applying(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
    monkeypatch: pytest.MonkeyPatch, answer: str, enabled: bool,
) -> None:
    monkeypatch.setattr(options, "stdin_is_interactive", lambda: True)
    write(pulled, {"api-key": {"name": "api-key", "type": "api-key", "disabled": False}})

    result = logged_in.run("push", "--local", str(pulled), input=answer)

    assert "Apply 1 change to" in result.stderr
    assert (result.exit_code == 0) is enabled
    assert admin_api.providers(app["_id"])["api-key"]["disabled"] is (not enabled)


def test_push_creates_providers_with_their_configuration(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
) -> None:
    document = read(pulled)
    document["local-userpass"] = {"name": "local-userpass", "type": "local-userpass",
                                  "disabled": False, "config": {"autoConfirm": True}}
    document["anon-user"] = {"name": "anon-user", "type": "anon-user", "disabled": True}
    write(pulled, document)

    result = logged_in.ok("push", "--local", str(pulled), "--yes")

    assert '+ local-userpass  create, enabled, config {"autoConfirm": true}' in result.stdout
    assert "+ anon-user       create, disabled" in result.stdout
    providers = admin_api.providers(app["_id"])
    assert providers["local-userpass"]["config"] == {"autoConfirm": True}
    assert providers["local-userpass"]["disabled"] is False
    assert providers["anon-user"]["disabled"] is True

    again = pulled.parent / "again"
    logged_in.ok("pull", "--local", str(again), "--app", app["_id"])
    assert read(again) == document  # the same form back, "config" only where not empty
    assert "Nothing to change" in logged_in.ok("push", "--local", str(again)).stdout


def test_push_changes_a_configuration(logged_in: Cli, app: dict[str, Any], pulled: Path,
                                      admin_api: LiveAdmin) -> None:
    admin_api.add_provider(app["_id"], "local-userpass", config={"autoConfirm": True})
    logged_in.ok("pull", "--local", str(pulled))  # pulled again from its own app
    document = read(pulled)
    document["local-userpass"]["config"] = {"autoConfirm": False}
    document["local-userpass"]["disabled"] = True
    write(pulled, document)

    result = logged_in.ok("push", "--local", str(pulled), "--yes")

    assert ('~ local-userpass  disable, config {"autoConfirm": true} -> '
            '{"autoConfirm": false}') in result.stdout
    provider = admin_api.providers(app["_id"])["local-userpass"]
    assert provider["config"] == {"autoConfirm": False}
    assert provider["disabled"] is True


def test_a_configuration_the_server_refuses_is_refused_before_other_changes(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
) -> None:
    write(pulled, {
        "api-key": {"name": "api-key", "type": "api-key", "disabled": False},
        "local-userpass": {"name": "local-userpass", "type": "local-userpass",
                           "disabled": False, "config": {"noSuchOption": 1}},
    })
    before = admin_api.providers(app["_id"])

    result = logged_in.fails("push", "--local", str(pulled), "--yes")

    assert "unknown config field 'noSuchOption'" in result.stderr
    assert "(InvalidParameter)" in result.stderr
    assert admin_api.providers(app["_id"]) == before


def test_providers_missing_from_the_file_are_kept_unless_delete_missing(
    logged_in: Cli, app: dict[str, Any], pulled: Path, admin_api: LiveAdmin,
) -> None:
    admin_api.add_provider(app["_id"], "anon-user")  # on the server, not in the file

    kept = logged_in.ok("push", "--local", str(pulled), "--yes")

    assert "Nothing to change" in kept.stdout
    assert "= anon-user  not in the file: kept (--delete-missing deletes it)" in kept.stdout
    assert "anon-user" in admin_api.providers(app["_id"])

    deleted = logged_in.ok("push", "--local", str(pulled), "--yes", "--delete-missing")

    assert "- anon-user  delete" in deleted.stdout
    assert set(admin_api.providers(app["_id"])) == {"api-key"}


def test_push_to_another_app_with_app(logged_in: Cli, app: dict[str, Any], pulled: Path,
                                      admin_api: LiveAdmin) -> None:
    other = logged_in.create_app()
    write(pulled, {"api-key": {"name": "api-key", "type": "api-key", "disabled": False}})

    logged_in.ok("push", "--local", str(pulled), "--app", other["name"], "--yes")

    assert admin_api.providers(other["_id"])["api-key"]["disabled"] is False
    assert admin_api.providers(app["_id"])["api-key"]["disabled"] is True


def test_push_of_a_folder_that_names_no_app_needs_app(logged_in: Cli, tmp_path: Path) -> None:
    (tmp_path / "auth").mkdir()
    write(tmp_path, {})

    result = logged_in.fails("push", "--local", str(tmp_path), "--yes")

    assert result.exit_code == 2
    assert "realm_config.json does not exist: pass --app" in result.stderr


def test_pull_refuses_a_folder_of_another_app(logged_in: Cli, pulled: Path) -> None:
    other = logged_in.create_app()
    before = providers_file(pulled).read_text()

    line = one_error_line(logged_in.fails("pull", "--local", str(pulled),
                                          "--app", other["client_app_id"]))

    assert "belongs to app" in line and "nothing was written" in line
    assert providers_file(pulled).read_text() == before
