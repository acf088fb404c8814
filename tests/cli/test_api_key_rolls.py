"""`appservices apikeys roll` and `apikeys create --expires` (issue 14, parts 3-4)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.cli.driver import Cli, client_login, one_error_line
from tests.support.admin_api import LiveAdmin as AdminApi


def _login_status(cli: Cli, app: dict[str, Any], key: str) -> int:
    return client_login(cli.base_url, app["client_app_id"], key).status_code


def test_roll_prints_the_new_value_once_and_the_old_one_stops(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: AdminApi
) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "reporting")
    before = client_login(logged_in.base_url, keys_app["client_app_id"], created["key"])

    result = logged_in.ok("apikeys", "roll", "--app", keys_app["name"], "--api-key",
                          "reporting")

    new_value = next(line.split()[-1] for line in result.stdout.splitlines()
                     if line.strip().startswith("Key:"))
    assert "Rolled server API key 'reporting'" in result.stdout
    assert "Old value: stopped now" in result.stdout
    assert "Copy the key now" in result.stderr
    assert _login_status(logged_in, keys_app, created["key"]) == 401
    after = client_login(logged_in.base_url, keys_app["client_app_id"], new_value)
    assert after.status_code == 200
    assert after.json()["user_id"] == before.json()["user_id"]
    assert [key["_id"] for key in admin_api.server_keys(keys_app["_id"])] == [created["_id"]]


def test_roll_with_grace_keeps_the_old_value_for_a_while(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: AdminApi
) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "reporting")

    rolled = logged_in.json("apikeys", "roll", "--app", keys_app["client_app_id"],
                            "--key", created["_id"], "--grace", "1h")

    assert set(rolled) == {"_id", "key", "name", "disabled", "previous_key_valid_until"}
    assert rolled["previous_key_valid_until"] == pytest.approx(time.time() + 3600, abs=60)
    assert _login_status(logged_in, keys_app, created["key"]) == 200
    assert _login_status(logged_in, keys_app, rolled["key"]) == 200


@pytest.mark.parametrize("grace", ["soon", "-1", "1y"])
def test_roll_refuses_a_grace_it_cannot_read(logged_in: Cli, keys_app: dict[str, Any],
                                            admin_api: AdminApi, grace: str) -> None:
    created = admin_api.new_server_key(keys_app["_id"], "reporting")

    result = logged_in.fails("apikeys", "roll", "--app", keys_app["name"], "--key",
                             "reporting", "--grace", grace)

    assert "--grace" in result.stderr
    assert _login_status(logged_in, keys_app, created["key"]) == 200


def test_roll_passes_on_the_servers_refusal_of_a_grace_over_7_days(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: AdminApi
) -> None:
    admin_api.new_server_key(keys_app["_id"], "reporting")

    line = one_error_line(logged_in.fails("apikeys", "roll", "--app", keys_app["name"],
                                          "--key", "reporting", "--grace", "8d"))

    assert "grace_period_seconds" in line


def test_create_with_an_expiry_shows_it_and_list_gets_an_expires_column(
    logged_in: Cli, keys_app: dict[str, Any]
) -> None:
    ref = keys_app["name"]
    logged_in.ok("apikeys", "create", "--app", ref, "--name", "forever")
    created = logged_in.ok("apikeys", "create", "--app", ref, "--name", "nightly",
                           "--expires", "2099-01-31T12:00:00Z")

    assert "Expires: 2099-01-31 12:00:00Z" in created.stdout
    table = logged_in.ok("apikeys", "list", "--app", ref).stdout.splitlines()
    assert table[0].split() == ["NAME", "_ID", "STATUS", "EXPIRES", "LAST", "USED"]
    assert table[1].split()[0] == "forever" and table[1].split()[-2:] == ["-", "-"]
    assert table[2].endswith("2099-01-31 12:00:00Z  -")
    listed = logged_in.json("apikeys", "list", "--app", ref)
    assert "expires_at" not in listed[0]
    assert listed[1]["expires_at"] == int(datetime(2099, 1, 31, 12, tzinfo=UTC).timestamp())


def test_create_with_an_expiry_as_a_duration_from_now(
    logged_in: Cli, keys_app: dict[str, Any]
) -> None:
    created = logged_in.json("apikeys", "create", "--app", keys_app["name"],
                             "--name", "monthly", "--expires", "30d")

    assert created["expires_at"] == pytest.approx(time.time() + 30 * 86400, abs=60)
    assert _login_status(logged_in, keys_app, created["key"]) == 200


def test_create_refuses_an_expiry_it_cannot_read_or_in_the_past(
    logged_in: Cli, keys_app: dict[str, Any], admin_api: AdminApi
) -> None:
    unreadable = logged_in.fails("apikeys", "create", "--app", keys_app["name"],
                                 "--name", "k", "--expires", "next tuesday")
    past = one_error_line(logged_in.fails("apikeys", "create", "--app", keys_app["name"],
                                          "--name", "k", "--expires", "2001-01-01"))

    assert "--expires" in unreadable.stderr
    assert "expires_at" in past and "future" in past
    assert admin_api.server_keys(keys_app["_id"]) == []
