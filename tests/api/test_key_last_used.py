"""Each API key shows when, from where and with what it last logged in (issue 15, part 1).

`last_used` is our extension of the key listings of both APIs: absent until a key's
first login, then `{date, ip_address, sdk_name, sdk_version, platform, platform_version}`
as far as the login told them. It is written at most once a minute per key, so that a
login is a read most of the time.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import clock, storage
from tests.support.app import make_app
from tests.support.client_actions import ClientApp, Tokens, client_app_on, clock_moved
from tests.support.wire import assert_json

KOTLIN = {"sdk": "Kotlin", "sdkVersion": "1.16.0", "platform": "Android",
          "platformVersion": "14", "appId": "com.example.notes"}
WEB = {"sdkVersion": "2.0.1", "platform": "chrome", "platformVersion": "126.0"}


def _server_key(realm: ClientApp, key_id: str) -> dict[str, Any]:
    body: dict[str, Any] = assert_json(
        realm.admin.get(f"{realm.admin_path}/api_keys/{key_id}"), 200)
    return body


def _listed_server_key(realm: ClientApp, key_id: str) -> dict[str, Any]:
    listed = assert_json(realm.admin.get(f"{realm.admin_path}/api_keys"), 200)
    return next(key for key in listed if key["_id"] == key_id)


def _login(realm: ClientApp, key: str, device: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None) -> Tokens:
    return Tokens.from_response(realm.login("api-key", {"key": key}, device=device,
                                            headers=headers))


def test_a_key_that_never_logged_in_shows_no_last_use(realm: ClientApp) -> None:
    created = realm.create_server_key("fresh")

    assert "last_used" not in _server_key(realm, created["_id"])
    assert "last_used" not in _listed_server_key(realm, created["_id"])


def test_a_server_key_shows_its_last_login_in_the_admin_api(realm: ClientApp) -> None:
    created = realm.create_server_key("reporting")
    before = clock.timestamp()

    _login(realm, created["key"], KOTLIN)

    expected_fields = {"date", "ip_address", "sdk_name", "sdk_version", "platform",
                       "platform_version"}
    for shown in (_server_key(realm, created["_id"]),
                  _listed_server_key(realm, created["_id"])):
        last_used = shown["last_used"]
        assert set(last_used) == expected_fields
        assert before <= last_used["date"] <= clock.timestamp()
        assert last_used["ip_address"] == "127.0.0.1"
        assert (last_used["sdk_name"], last_used["sdk_version"]) == ("Kotlin", "1.16.0")
        assert (last_used["platform"], last_used["platform_version"]) == ("Android", "14")
        # The fields of the original are all still there, unchanged.
        assert {"_id", "name", "disabled"} <= set(shown)
        assert shown["name"] == "reporting" and shown["disabled"] is False


def test_a_login_that_tells_less_shows_only_what_it_told(realm: ClientApp) -> None:
    created = realm.create_server_key("script")

    _login(realm, created["key"])  # curl: no device information at all

    assert set(_server_key(realm, created["_id"])["last_used"]) == {"date", "ip_address"}


def test_the_last_use_is_written_at_most_once_a_minute(realm: ClientApp) -> None:
    created = realm.create_server_key("busy")
    _login(realm, created["key"], KOTLIN)
    first = _server_key(realm, created["_id"])["last_used"]

    with clock_moved(timedelta(seconds=30)):
        _login(realm, created["key"], WEB)
        assert _server_key(realm, created["_id"])["last_used"] == first

    with clock_moved(timedelta(seconds=61)):
        _login(realm, created["key"], WEB)
        later = _server_key(realm, created["_id"])["last_used"]
    assert later["date"] >= first["date"] + 61
    assert (later["platform"], later["sdk_version"]) == ("chrome", "2.0.1")
    assert "sdk_name" not in later  # realm-web does not name its SDK


def test_a_login_within_the_minute_writes_nothing_to_the_key(
    realm: ClientApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = realm.create_server_key("hot")
    _login(realm, created["key"], KOTLIN)
    statements: list[str] = []
    database = storage.database.obj  # the proxy takes no attributes: its database does
    real_execute_sql = database.execute_sql

    def recorded(sql: str, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return real_execute_sql(sql, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", recorded)
    _login(realm, created["key"], KOTLIN)
    monkeypatch.undo()

    assert statements, "the login ran no statement at all"
    assert not [sql for sql in statements if sql.startswith('UPDATE "api_key"')]


def test_a_user_key_shows_its_last_login_in_the_client_api(realm: ClientApp) -> None:
    owner = realm.register_and_login("ada@example.com")
    created = realm.new_user_key(owner, "laptop")
    assert "last_used" not in assert_json(realm.get("/auth/api_keys", owner.refresh_token),
                                          200)[0]

    _login(realm, created["key"], KOTLIN)

    listed = assert_json(realm.get("/auth/api_keys", owner.refresh_token), 200)
    one = assert_json(realm.get(f"/auth/api_keys/{created['_id']}", owner.refresh_token), 200)
    for shown in (listed[0], one):
        assert shown["last_used"]["platform"] == "Android"
        assert shown["last_used"]["ip_address"] == "127.0.0.1"


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    behind_proxy = make_app(database_url, tmp_path / "proxied", TRUSTED_PROXY_HOPS=1)
    realm = client_app_on(behind_proxy)
    created = realm.create_server_key("proxied")

    _login(realm, created["key"], headers={"X-Forwarded-For": "203.0.113.7"})

    assert _server_key(realm, created["_id"])["last_used"]["ip_address"] == "203.0.113.7"


def test_device_strings_are_kept_as_data_without_control_characters(realm: ClientApp) -> None:
    created = realm.create_server_key("odd")
    hostile = {"platform": "<script>alert(1)</script>", "sdk": "x\r\nSet-Cookie: a=b",
               "platformVersion": "9" * 500}

    _login(realm, created["key"], hostile)

    last_used = _server_key(realm, created["_id"])["last_used"]
    assert last_used["platform"] == "<script>alert(1)</script>"  # JSON carries it as data
    assert "\r" not in last_used["sdk_name"] and "\n" not in last_used["sdk_name"]
    assert last_used["platform_version"] == "9" * 128  # kept as long as device info is
