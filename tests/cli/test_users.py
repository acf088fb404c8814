"""`appservices users ...`, and above all the two documented ways to create a server key:

    appservices users create --type=api-key          (prompts for App ID and key name)
    appservices users create --type=api-key --app=<Your App ID> --name=<API Key Name>
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from app.cli.context import AdminContext, AppRef
from app.cli.profiles import Profile
from tests.cli.driver import Cli, client_login, one_error_line
from tests.support.admin_api import LiveAdmin
from tests.support.http import CLIENT_BASE, TIMEOUT_SECONDS
from tests.support.http import TEST_PASSWORD as PASSWORD

KEY_LINE = re.compile(r"^  Key:  (ask_\S+)$", re.MULTILINE)


def printed_key(stdout: str) -> str:
    found = KEY_LINE.search(stdout)
    assert found, f"no key in:\n{stdout}"
    return found.group(1)


def test_users_create_asks_for_the_app_id_and_the_key_name(logged_in: Cli,
                                                           keys_app: dict[str, Any]) -> None:
    result = logged_in.ok("users", "create", "--type=api-key",
                          input=f"{keys_app['client_app_id']}\nreporting\n")

    assert "App ID" in result.stderr and "API Key Name" in result.stderr
    assert f"Created server API key 'reporting' in app {keys_app['name']}" in result.stdout
    key = printed_key(result.stdout)
    assert "cannot be retrieved later" in result.stderr
    login = client_login(logged_in.base_url, keys_app["client_app_id"], key)
    assert login.status_code == 200, login.text


@pytest.mark.parametrize("reference", ["client_app_id", "_id", "name"])
def test_users_create_takes_the_app_and_the_name_as_options(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: LiveAdmin, reference: str,
) -> None:
    result = logged_in.ok("users", "create", "--type=api-key",
                          f"--app={keys_app[reference]}", "--name=ingest")

    key = printed_key(result.stdout)
    login = client_login(logged_in.base_url, keys_app["client_app_id"], key)
    assert login.status_code == 200, login.text
    assert [k["name"] for k in admin_api.server_keys(keys_app["_id"])] == ["ingest"]


def test_the_key_is_shown_once_and_never_again(logged_in: Cli,
                                               keys_app: dict[str, Any]) -> None:
    created = logged_in.json("users", "create", "--type=api-key",
                             "--app", keys_app["client_app_id"], "--name", "once")
    assert created["key"].startswith("ask_")

    app = keys_app["client_app_id"]
    for command in (["users", "list", "--app", app], ["apikeys", "list", "--app", app]):
        assert created["key"] not in logged_in.ok(*command).output
        assert created["key"] not in logged_in.ok(*command, "--json").output


def test_a_second_key_of_one_name_shows_the_servers_error_in_one_line(
    logged_in: Cli, keys_app: dict[str, Any],
) -> None:
    arguments = ["users", "create", "--type=api-key", f"--app={keys_app['client_app_id']}",
                 "--name=twice"]
    logged_in.ok(*arguments)

    result = logged_in.fails(*arguments)

    assert result.exit_code == 1
    assert one_error_line(result) == (
        "Error: API key with name already exists (APIKeyAlreadyExists)"
    )
    assert "ask_" not in result.stdout


def test_a_key_cannot_be_made_while_the_provider_is_disabled(logged_in: Cli,
                                                             app: dict[str, Any]) -> None:
    result = logged_in.fails("users", "create", "--type=api-key", "--app", app["name"],
                             "--name", "early")

    assert one_error_line(result).endswith("(AuthProviderNotFound)")


def test_users_create_without_a_terminal_names_the_missing_option(
    logged_in: Cli, keys_app: dict[str, Any],
) -> None:
    result = logged_in.fails("users", "create", "--type=api-key",
                             "--app", keys_app["client_app_id"])

    assert result.exit_code == 2
    assert "missing --name (there is no terminal to ask on)" in result.stderr


def test_users_create_asks_for_the_type_too(logged_in: Cli, keys_app: dict[str, Any]) -> None:
    result = logged_in.ok("users", "create",
                          input=f"api-key\n{keys_app['client_app_id']}\nasked-type\n")

    assert printed_key(result.stdout)


def test_users_create_makes_an_email_user_who_can_log_in(
    logged_in: Cli, app: dict[str, Any], admin_api: LiveAdmin,
) -> None:
    admin_api.add_provider(app["_id"], "local-userpass")

    given = logged_in.json("users", "create", "--type=email", "--app", app["client_app_id"],
                           "--email", "ada@example.com", "--password", PASSWORD)
    asked = logged_in.ok("users", "create", "--type=email", "--app", app["name"],
                         "--email", "grace@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")

    assert given["data"]["email"] == "ada@example.com"
    assert "Created email/password user grace@example.com" in asked.stdout
    assert PASSWORD not in asked.output  # the prompt is hidden
    for email in ("ada@example.com", "grace@example.com"):
        login = requests.post(
            f"{logged_in.base_url}{CLIENT_BASE}/app/{app['client_app_id']}"
            "/auth/providers/local-userpass/login",
            json={"username": email, "password": PASSWORD}, timeout=TIMEOUT_SECONDS,
        )
        assert login.status_code == 200, login.text


def test_an_email_user_needs_its_password_twice_alike(
    logged_in: Cli, app: dict[str, Any], admin_api: LiveAdmin,
) -> None:
    admin_api.add_provider(app["_id"], "local-userpass")

    result = logged_in.ok("users", "create", "--type=email", "--app", app["name"],
                          "--email", "typo@example.com",
                          input=f"{PASSWORD}\n{PASSWORD}x\n{PASSWORD}\n{PASSWORD}\n")

    assert "do not match" in result.stderr
    assert [u["data"]["email"] for u in admin_api.users(app["_id"])] == ["typo@example.com"]


def test_users_list_follows_every_page(logged_in: Cli, keys_app: dict[str, Any],
                                       admin_api: LiveAdmin) -> None:
    for number in range(55):  # more than one page of 50
        admin_api.new_server_key(keys_app["_id"], f"key-{number}")

    listed = logged_in.json("users", "list", "--app", keys_app["client_app_id"])
    table = logged_in.ok("users", "list", "--app", keys_app["client_app_id"]).stdout

    assert len(listed) == 55
    assert len({user["_id"] for user in listed}) == 55
    assert {user["data"]["name"] for user in listed} == {f"key-{n}" for n in range(55)}
    assert len(table.splitlines()) == 56  # a header and a line per user


def test_users_list_filters_by_type_and_status(logged_in: Cli, keys_app: dict[str, Any],
                                               admin_api: LiveAdmin) -> None:
    app_id = keys_app["_id"]
    admin_api.add_provider(app_id, "local-userpass")
    admin_api.new_server_key(app_id, "server-one")
    admin_api.ok("POST", f"/apps/{app_id}/users", {"email": "e@example.com",
                                                   "password": PASSWORD})
    ref = keys_app["client_app_id"]

    def names(*arguments: str) -> list[str]:
        listed = logged_in.json("users", "list", "--app", ref, *arguments)
        return sorted(user["data"].get("name") or user["data"]["email"] for user in listed)

    assert names() == ["e@example.com", "server-one"]
    assert names("--type", "server") == ["server-one"]
    assert names("--type", "api-key") == ["server-one"]
    assert names("--type", "email") == ["e@example.com"]
    assert names("--type", "anon") == []
    assert names("--type", "email", "--type", "server") == ["e@example.com", "server-one"]
    assert names("--status", "disabled") == []


def server_user(admin_api: LiveAdmin, app: dict[str, Any], key_name: str) -> dict[str, Any]:
    [user] = [u for u in admin_api.users(app["_id"]) if u["data"].get("name") == key_name]
    return user


def test_users_disable_enable_revoke_and_delete(logged_in: Cli, keys_app: dict[str, Any],
                                                admin_api: LiveAdmin) -> None:
    key = admin_api.new_server_key(keys_app["_id"], "lifecycle")["key"]
    ref = keys_app["client_app_id"]
    user_id = server_user(admin_api, keys_app, "lifecycle")["_id"]

    def login_status() -> int:
        return client_login(logged_in.base_url, ref, key).status_code

    assert "Disabled user" in logged_in.ok("users", "disable", "--app", ref,
                                           "--user", user_id).stdout
    assert server_user(admin_api, keys_app, "lifecycle")["disabled"] is True
    assert login_status() == 401

    logged_in.ok("users", "enable", "--app", keys_app["_id"], "--user", user_id)
    assert server_user(admin_api, keys_app, "lifecycle")["disabled"] is False
    session = client_login(logged_in.base_url, ref, key)
    assert session.status_code == 200

    logged_in.ok("users", "revoke", "--app", keys_app["name"], "--user", user_id)
    refreshed = requests.post(
        f"{logged_in.base_url}{CLIENT_BASE}/auth/session", timeout=TIMEOUT_SECONDS,
        headers={"Authorization": f"Bearer {session.json()['refresh_token']}"},
    )
    assert refreshed.status_code == 401
    assert login_status() == 200  # revoked sessions, not the user

    logged_in.ok("users", "delete", "--app", ref, "--user", user_id, "--yes")
    assert user_id not in [u["_id"] for u in admin_api.users(keys_app["_id"])]


def test_an_unknown_user_is_the_servers_error_in_one_line(logged_in: Cli,
                                                           app: dict[str, Any]) -> None:
    result = logged_in.fails("users", "disable", "--app", app["name"],
                             "--user", "0123456789abcdef01234567")

    assert one_error_line(result).endswith("(UserNotFound)")


def test_an_app_is_found_by_its_id_its_client_app_id_or_its_only_name() -> None:
    # The app-finding rules, on a fixed list of apps (no server needed).
    apps = [AppRef("0" * 24, "shop-abcde", "shop", "g1"),
            AppRef("1" * 24, "shop-fghij", "shop", "g2"),
            AppRef("2" * 24, "blog-klmno", "blog", "g1")]
    context = AdminContext(Profile("default", "http://127.0.0.1:1", "k", "a", "r"))

    assert context.find_app("blog", apps=apps) is apps[2]
    assert context.find_app("shop-fghij", apps=apps) is apps[1]
    assert context.find_app("0" * 24, apps=apps) is apps[0]
    with pytest.raises(Exception, match="several apps are named 'shop'"):
        context.find_app("shop", apps=apps)
    with pytest.raises(Exception, match="no app 'nope'"):
        context.find_app("nope", apps=apps)


def test_the_only_app_is_proposed_at_the_app_id_prompt(
    logged_in: Cli, keys_app: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    only = AppRef.from_json(keys_app)
    monkeypatch.setattr(AdminContext, "apps", lambda self, group_id=None: [only])

    result = logged_in.ok("users", "create", "--type=api-key", input="\nproposed\n")

    assert f"App ID [{keys_app['client_app_id']}]" in result.stderr
    assert f"in app {only.label}" in result.stdout


def test_an_app_needs_to_exist_before_a_key(logged_in: Cli,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AdminContext, "apps", lambda self, group_id=None: [])

    line = one_error_line(logged_in.fails("users", "create", "--type=api-key"))

    assert "you have no app yet: create one with `appservices apps create" in line


def test_users_pending_and_confirm_let_a_registered_user_log_in(
    logged_in: Cli, app: dict[str, Any], admin_api: LiveAdmin,
) -> None:
    admin_api.add_provider(app["_id"], "local-userpass", config={"autoConfirm": False})
    base = (f"{logged_in.base_url}{CLIENT_BASE}/app/{app['client_app_id']}"
            "/auth/providers/local-userpass")
    registered = requests.post(f"{base}/register", timeout=TIMEOUT_SECONDS,
                               json={"email": "ada@example.com", "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    credentials = {"username": "ada@example.com", "password": PASSWORD}
    assert requests.post(f"{base}/login", json=credentials,
                         timeout=TIMEOUT_SECONDS).status_code == 401

    listed = logged_in.ok("users", "pending", f"--app={app['name']}")
    assert "ada@example.com" in listed.stdout
    confirmed = logged_in.ok("users", "confirm", f"--app={app['name']}",
                             "--email=ada@example.com")

    assert "Confirmed ada@example.com" in confirmed.stdout
    assert requests.post(f"{base}/login", json=credentials,
                         timeout=TIMEOUT_SECONDS).status_code == 200
    assert "No pending users" in logged_in.ok("users", "pending",
                                              f"--app={app['name']}").stdout + \
        logged_in.ok("users", "pending", f"--app={app['name']}").stderr
