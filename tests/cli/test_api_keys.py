"""`appservices apikeys list | create | enable | disable | delete`: server API keys."""

from __future__ import annotations

import re
from typing import Any

from tests.cli.driver import Cli, client_login, one_error_line
from tests.support.admin_api import LiveAdmin


def test_apikeys_list_shows_names_and_states_never_values(logged_in: Cli,
                                                          keys_app: dict[str, Any],
                                                          admin_api: LiveAdmin) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "listed")
    ref = keys_app["client_app_id"]

    table = logged_in.ok("apikeys", "list", "--app", ref).stdout
    listed = logged_in.json("apikeys", "list", "--app", ref)

    assert listed == [{"_id": created["_id"], "name": "listed", "disabled": False}]
    assert table.splitlines() == [
        "NAME    _ID" + " " * 23 + "STATUS   LAST USED",
        f"listed  {created['_id']}  enabled  -",
    ]
    assert created["key"] not in table


def test_apikeys_list_shows_when_and_from_where_a_key_last_logged_in(
        logged_in: Cli, keys_app: dict[str, Any], admin_api: LiveAdmin) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "used")
    ref = keys_app["client_app_id"]
    assert client_login(logged_in.base_url, ref, created["key"]).status_code == 200

    table = logged_in.ok("apikeys", "list", "--app", ref).stdout.splitlines()
    listed = logged_in.json("apikeys", "list", "--app", ref)

    assert table[0].split() == ["NAME", "_ID", "STATUS", "LAST", "USED"]
    assert re.fullmatch(rf"used  {created['_id']}  enabled  "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ from 127\.0\.0\.1", table[1])
    assert listed[0]["last_used"]["ip_address"] == "127.0.0.1"


def test_apikeys_list_of_an_app_without_keys_says_so(logged_in: Cli,
                                                     app: dict[str, Any]) -> None:
    result = logged_in.ok("apikeys", "list", "--app", app["name"])

    assert result.stdout == ""
    assert f"No server API keys in {app['name']}" in result.stderr
    assert logged_in.json("apikeys", "list", "--app", app["name"]) == []


def test_apikeys_disable_enable_and_delete_by_name_or_id(logged_in: Cli,
                                                         keys_app: dict[str, Any],
                                                         admin_api: LiveAdmin) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "switch")
    ref = keys_app["client_app_id"]

    def login_status() -> int:
        return client_login(logged_in.base_url, ref, created["key"]).status_code

    result = logged_in.ok("apikeys", "disable", "--app", ref, "--key", "switch")
    assert "Disabled server API key 'switch'" in result.stdout
    assert admin_api.server_keys(keys_app["_id"])[0]["disabled"] is True
    assert login_status() == 401

    logged_in.ok("apikeys", "enable", "--app", keys_app["name"], "--key", created["_id"])
    assert admin_api.server_keys(keys_app["_id"])[0]["disabled"] is False
    assert login_status() == 200

    logged_in.ok("apikeys", "delete", "--app", keys_app["_id"], "--key", "switch", "--yes")
    assert admin_api.server_keys(keys_app["_id"]) == []
    assert login_status() == 401


def test_apikeys_create_is_users_create_type_api_key(logged_in: Cli,
                                                     keys_app: dict[str, Any]) -> None:
    created = logged_in.json("apikeys", "create", "--app", keys_app["name"], "--name", "short")

    login = client_login(logged_in.base_url, keys_app["client_app_id"], created["key"])
    assert login.status_code == 200, login.text


def test_an_unknown_key_is_named_in_one_line(logged_in: Cli, app: dict[str, Any]) -> None:
    line = one_error_line(logged_in.fails("apikeys", "disable", "--app", app["name"],
                                          "--key", "ghost"))

    assert "has no server API key named or with _id 'ghost'" in line
