"""`appservices logs list`: an app's log entries, newest first, with the API's filters."""

from __future__ import annotations

from typing import Any

from tests.cli.driver import Cli, client_login
from tests.support.admin_api import LiveAdmin


def test_logs_list_shows_the_keys_and_logins_of_an_app(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: LiveAdmin
) -> None:
    key = admin_api.new_server_key(keys_app["_id"], "ingest")
    good = client_login(logged_in.base_url, keys_app["client_app_id"], key["key"])
    bad = client_login(logged_in.base_url, keys_app["client_app_id"], "ask_wrong")

    every = logged_in.json("logs", "list", "--app", keys_app["client_app_id"])
    table = logged_in.ok("logs", "list", "--app", keys_app["name"]).stdout

    assert [entry["co_id"] for entry in every[:2]] == [
        bad.headers["X-Appservices-Request-Id"], good.headers["X-Appservices-Request-Id"]]
    assert [entry["type"] for entry in every] == ["AUTH", "AUTH", "API_KEY"]
    assert every[2]["messages"][0] == f"create API key 'ingest' ({key['_id']})"
    assert key["key"] not in table and key["key"] not in str(every)
    assert table.splitlines()[0].split() == ["STARTED", "TYPE", "EVENT", "STATUS", "USER",
                                             "ADDRESS", "SDK", "CO_ID"]
    assert "401 AuthError" in table and "login api-key" in table


def test_logs_list_filters(logged_in: Cli, keys_app: dict[str, Any],
                           admin_api: LiveAdmin) -> None:
    key = admin_api.new_server_key(keys_app["_id"], "ingest")
    user_id = client_login(logged_in.base_url, keys_app["client_app_id"],
                           key["key"]).json()["user_id"]
    client_login(logged_in.base_url, keys_app["client_app_id"], "ask_wrong")
    app = keys_app["client_app_id"]

    def statuses(*options: str) -> list[int]:
        return [entry["status"] for entry in logged_in.json("logs", "list", "--app", app,
                                                            *options)]

    assert statuses("--type", "API_KEY") == [201]
    assert statuses("--type", "auth") == [401, 200]
    assert statuses("--errors") == [401]
    assert statuses("--user", user_id) == [200, 201]  # the key's server user
    assert statuses("--since", "1h") == [401, 200, 201]
    assert statuses("--since", "2999-01-01") == []
    assert statuses("--limit", "1") == [401]
    assert "No log entries" in logged_in.ok("logs", "list", "--app", app,
                                            "--since", "2999-01-01").stderr
    assert "--since" in logged_in.fails("logs", "list", "--app", app,
                                        "--since", "soon").output
