"""App logs (issue 15): an AUTH entry per login, refresh and logout, an API_KEY entry per
key change, each read back through `GET /groups/{groupId}/apps/{appId}/logs` with the
original's query and answer; an error's `link` finds its entry; entries expire."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from app import clock, storage
from app.domain import app_logs, pruning
from tests.support.client_actions import PASSWORD, ClientApp, Tokens, clock_moved
from tests.support.store import in_database
from tests.support.wire import CORRELATION_HEADER, assert_error, assert_link

DEVICE = {"platform": "chrome", "platformVersion": "124.0.1", "sdk": "Realm Web",
          "sdkVersion": "2.0.0", "appId": "my.app"}
OTHER_TYPES = [name for name in app_logs.TYPES if name not in ("AUTH", "API_KEY")]


@pytest.fixture
def app_settings() -> dict[str, Any]:
    # Low enough for a test to be throttled in a few logins.
    return {"THROTTLE_FAILURES_PER_ADDRESS": 3}


def _logs(realm: ClientApp, **params: Any) -> list[dict[str, Any]]:
    return realm.admin.logs(realm.app_id, **params)


def _only(entries: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(entries) == 1, entries
    return entries[0]


def _entry_of(realm: ClientApp, response: Any) -> dict[str, Any]:
    """The one entry of the request that got `response`."""
    return _only(_logs(realm, co_id=response.headers[CORRELATION_HEADER]))


def _parse(value: str) -> datetime:
    assert value.endswith("Z") and len(value) == len("2024-05-01T12:00:00.123Z"), value
    return datetime.fromisoformat(value)


# --- AUTH -----------------------------------------------------------------------------


def test_a_login_of_each_provider_is_an_auth_entry_with_its_device(realm: ClientApp) -> None:
    realm.register("ann@example.com")
    server_key = realm.create_server_key("backend")
    before = clock.now() - timedelta(seconds=1)
    logins = {
        "api-key": realm.login("api-key", {"key": server_key["key"]}, device=DEVICE),
        "anon-user": realm.login("anon-user", {}, device=DEVICE),
        "local-userpass": realm.login("local-userpass", {"username": "ann@example.com",
                                                         "password": PASSWORD},
                                      device=DEVICE),
    }

    for provider, response in logins.items():
        entry = _entry_of(realm, response)
        assert response.status_code == 200
        assert entry["type"] == "AUTH"
        assert entry["auth_event"] == {"type": "login", "provider": provider}
        assert entry["user_id"] == response.get_json()["user_id"]
        assert entry["status"] == 200
        assert "error" not in entry and "error_code" not in entry
        assert entry["request_url"] == (f"/api/client/v2.0/app/{realm.client_app_id}"
                                        f"/auth/providers/{provider}/login")
        assert entry["request_method"] == "POST"
        assert entry["remote_ip_address"] == "127.0.0.1"
        assert (entry["platform"], entry["platform_version"], entry["sdk_name"],
                entry["sdk_version"]) == ("chrome", "124.0.1", "Realm Web", "2.0.0")
        assert entry["app_id"] == realm.app_id and entry["group_id"] == realm.admin.group_id
        assert entry["domain_id"] and entry["messages"] == []
        assert before <= _parse(entry["started"]) <= _parse(entry["completed"])


def test_failed_logins_are_entries_with_the_error_the_client_read(realm: ClientApp) -> None:
    server_key = realm.create_server_key("backend")
    realm.admin.put(f"{realm.admin_path}/api_keys/{server_key['_id']}/disable")
    wrong = realm.login("api-key", {"key": "ask_not-a-key"})
    disabled = realm.login("api-key", {"key": server_key["key"]})
    missing = realm.login("api-key", {})

    for response, status, code in ((wrong, 401, "AuthError"), (disabled, 401, "AuthError"),
                                   (missing, 400, "MissingParameter")):
        assert_error(response, status, code)
        entry = _entry_of(realm, response)
        assert (entry["status"], entry["error_code"]) == (status, code)
        assert entry["error"] == response.get_json()["error"]
        assert entry["auth_event"] == {"type": "login", "provider": "api-key"}
        assert "user_id" not in entry


def test_a_throttled_login_is_an_entry_with_its_429(realm: ClientApp) -> None:
    responses = [realm.login("api-key", {"key": "ask_wrong"}) for _ in range(4)]

    assert responses[-1].status_code == 429
    entries = _logs(realm, errors_only=True)
    assert [entry["status"] for entry in entries] == [429, 401, 401, 401]  # newest first
    assert entries[0]["error_code"] == "TooManyRequests"
    assert entries[0]["co_id"] == responses[-1].headers[CORRELATION_HEADER]


def test_refreshes_and_logouts_are_auth_entries(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")
    refreshed = realm.post("/auth/session", ann.refresh_token)
    logged_out = realm.delete("/auth/session", ann.refresh_token)

    refresh = _entry_of(realm, refreshed)
    assert refresh["auth_event"] == {"type": "refresh", "provider": "local-userpass"}
    assert (refresh["status"], refresh["user_id"]) == (201, ann.user_id)
    assert refresh["request_url"] == "/api/client/v2.0/auth/session"
    logout = _entry_of(realm, logged_out)
    assert logout["auth_event"] == {"type": "logout", "provider": "local-userpass"}
    assert (logout["status"], logout["request_method"], logout["user_id"]) == (
        204, "DELETE", ann.user_id)


def test_a_refresh_with_an_expired_token_is_a_failed_entry(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")

    with clock_moved(timedelta(days=61)):
        refused = realm.post("/auth/session", ann.refresh_token)
        assert_error(refused, 401, "InvalidSession")
    entry = _entry_of(realm, refused)  # the admin's token is good again: the clock is back

    assert entry["auth_event"]["type"] == "refresh"
    assert (entry["status"], entry["error_code"]) == (401, "InvalidSession")


# --- API_KEY --------------------------------------------------------------------------


def test_a_users_key_changes_are_api_key_entries_owned_by_the_user(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")
    key = realm.new_user_key(ann, "laptop")
    path = f"/auth/api_keys/{key['_id']}"
    realm.put(f"{path}/disable", ann.refresh_token)
    realm.put(f"{path}/enable", ann.refresh_token)
    realm.delete(path, ann.refresh_token)
    duplicate_of = realm.new_user_key(ann, "phone")
    refused = realm.create_user_key(ann, "phone")

    entries = _logs(realm, type="API_KEY")

    named = f"'laptop' ({key['_id']})"
    assert [entry["messages"] for entry in entries] == [
        ["create API key"], ["create API key 'phone' (" + duplicate_of["_id"] + ")"],
        [f"delete API key {named}"], [f"enable API key {named}"],
        [f"disable API key {named}"], [f"create API key {named}"]]
    assert {entry["user_id"] for entry in entries} == {ann.user_id}
    assert [entry["status"] for entry in entries] == [409, 201, 204, 204, 204, 201]
    assert entries[0]["error_code"] == "APIKeyAlreadyExists"
    assert entries[0]["co_id"] == refused.headers[CORRELATION_HEADER]
    assert entries[-1]["request_url"] == "/api/client/v2.0/auth/api_keys"


def test_an_admins_server_key_changes_name_the_admin_key(realm: ClientApp) -> None:
    admin = realm.admin
    key = realm.create_server_key("backend")
    key_path = f"{realm.admin_path}/api_keys/{key['_id']}"
    admin.put(f"{key_path}/disable")
    admin.put(f"{key_path}/enable")
    admin.post(f"{key_path}/roll", json={})
    admin.delete(key_path)
    missing = admin.delete(key_path)

    entries = _logs(realm, type="API_KEY")

    by_admin = f"by admin key {admin.public_key}"
    named = f"'backend' ({key['_id']})"
    assert [entry["messages"] for entry in entries] == [
        ["delete API key", by_admin], [f"delete API key {named}", by_admin],
        [f"roll API key {named}", by_admin], [f"enable API key {named}", by_admin],
        [f"disable API key {named}", by_admin], [f"create API key {named}", by_admin]]
    # The key's owner is its server user (deleted with it by now).
    assert len({entry["user_id"] for entry in entries[1:]}) == 1
    assert "user_id" not in entries[0]
    assert (entries[0]["status"], entries[0]["error_code"]) == (404, "APIKeyNotFound")
    assert entries[0]["co_id"] == missing.headers[CORRELATION_HEADER]


def test_another_apps_key_changes_are_not_in_this_apps_log(realm: ClientApp) -> None:
    other = ClientApp.create(realm.client, realm.admin, "otherapp")
    other.create_server_key("elsewhere")

    assert _logs(realm) == []
    assert len(_logs(other, type="API_KEY")) == 1


# --- the query -------------------------------------------------------------------------


def test_every_filter_of_the_query(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")
    bob = realm.register_and_login("bob@example.com")
    wrong = realm.login("local-userpass", {"username": "bob@example.com", "password": "nope"})
    key = realm.new_user_key(ann, "laptop")
    everything = _logs(realm)

    assert len(everything) == 4
    assert [entry["_id"] for entry in _logs(realm, user_id=ann.user_id)] == [
        everything[0]["_id"], everything[3]["_id"]]
    assert [entry["user_id"] for entry in _logs(realm, user_id=bob.user_id)] == [bob.user_id]
    assert [entry["co_id"] for entry in _logs(realm, errors_only=True)] == [
        wrong.headers[CORRELATION_HEADER]]
    # Present, whatever its value, as the original's document says.
    assert len(_logs(realm, errors_only="false")) == 1
    assert [entry["type"] for entry in _logs(realm, type="AUTH")] == ["AUTH"] * 3
    assert [entry["messages"] for entry in _logs(realm, type="API_KEY")] == [
        [f"create API key 'laptop' ({key['_id']})"]]
    for other_type in OTHER_TYPES:
        assert realm.admin.logs_page(realm.app_id, type=other_type) == {"logs": []}
    middle = everything[2]["started"]
    assert [e["_id"] for e in _logs(realm, start_date=middle)] == [
        e["_id"] for e in everything if e["started"] > middle]
    assert [e["_id"] for e in _logs(realm, end_date=middle)] == [
        e["_id"] for e in everything if e["started"] <= middle]
    assert _logs(realm, end_date="2000-01-01T00:00:00Z") == []
    assert len(_logs(realm, start_date="2000-01-01T00:00:00+02:00")) == 4
    assert realm.admin.logs_page(realm.app_id, skip=1, limit=2)["logs"] == everything[1:3]


@pytest.mark.parametrize(("query", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "x"}, "limit"),
    ({"skip": "-1"}, "skip"), ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2024-13-01"}, "end_date"), ({"type": "NOT_A_TYPE"}, "type"),
])
def test_a_bad_parameter_is_a_400_naming_it(realm: ClientApp, query: dict[str, str],
                                            field: str) -> None:
    response = realm.admin.get(f"{realm.admin_path}/logs", params=query)

    assert_error(response, 400, "InvalidParameter", says=f"'{field}'")


def test_an_app_the_admin_cannot_reach_is_a_404(realm: ClientApp) -> None:
    response = realm.admin.get(f"/groups/{realm.admin.group_id}/apps/{'0' * 24}/logs")

    assert_error(response, 404, "AppNotFound")


def test_pages_follow_next_end_date_and_next_skip(app: Flask, realm: ClientApp) -> None:
    # Nine entries, three of which share one millisecond with the entry before them.
    started = app_logs.now_ms() - 60_000
    times = [started, started + 1, started + 1, started + 1, started + 1, started + 2,
             started + 3, started + 3, started + 4]
    with in_database(app):
        for number, moment in enumerate(times):
            app_logs.record(app_logs.NewEntry(
                app_id=realm.app_id, co_id=storage.new_object_id(), type="AUTH",
                request_url="/x", request_method="POST", started=moment, completed=moment,
                status=200, messages=[f"entry {number}"]))
    everything = realm.admin.logs_page(realm.app_id)["logs"]

    first = realm.admin.logs_page(realm.app_id, limit=2)
    second = realm.admin.logs_page(realm.app_id, limit=2, end_date=first["nextEndDate"],
                                   skip=first.get("nextSkip"))

    assert len(everything) == 9
    assert [e["started"] for e in everything] == sorted(
        (e["started"] for e in everything), reverse=True)
    assert first["nextEndDate"] == app_logs.iso(started + 3)
    assert first["nextSkip"] == 1  # the next entry shares the last one's time
    assert second["logs"] == everything[2:4]
    assert "nextSkip" not in second  # started + 2 comes next
    for limit in (1, 2, 3, 4, 100):
        pages = [realm.admin.logs_page(realm.app_id, limit=limit)]
        while "nextEndDate" in pages[-1]:
            pages.append(realm.admin.logs_page(realm.app_id, limit=limit,
                                               end_date=pages[-1]["nextEndDate"],
                                               skip=pages[-1].get("nextSkip")))
        assert [e for page in pages for e in page["logs"]] == everything, limit
        assert "nextEndDate" not in pages[-1] and len(pages) == -(-9 // limit)


# --- the link of an error -----------------------------------------------------------------


def test_the_link_of_an_error_finds_its_entry(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")
    for refused in (realm.login("api-key", {"key": "ask_wrong"}),
                    realm.create_user_key(Tokens(ann.access_token, ann.access_token,
                                                 ann.user_id, ann.device_id), "x"),
                    realm.admin.delete(f"{realm.admin_path}/api_keys/{'0' * 24}")):
        link = assert_link(refused)
        assert (link["group_id"], link["app_id"]) == (realm.admin.group_id, realm.app_id)
        path = refused.get_json()["link"].removeprefix(link["base"])

        # The Admin API call with the link's path and query (under /api/admin/v3.0).
        found = realm.admin.get(path)

        assert found.status_code == 200, found.get_json()
        entry = _only(found.get_json()["logs"])
        assert entry["co_id"] == link["co_id"]
        assert entry["status"] == refused.status_code
        assert entry["error"] == refused.get_json()["error"]


# --- retention ------------------------------------------------------------------------------


def test_entries_are_pruned_after_log_retention_days(app: Flask, realm: ClientApp) -> None:
    realm.login("anon-user", {})
    with clock_moved(timedelta(days=9)):
        realm.login("anon-user", {})

    with clock_moved(timedelta(days=10, hours=1)), in_database(app):
        first = pruning.prune(batch_size=10)
        again = pruning.prune(batch_size=10)

    assert (first.counts["app_logs"], again.counts["app_logs"]) == (1, 0)
    realm.admin.log_in()  # the admin's own session was pruned with the moved clock
    assert len(_logs(realm)) == 1


@pytest.mark.parametrize("app_settings", [{"LOG_RETENTION_DAYS": 2}])
def test_the_retention_is_a_setting(app: Flask, realm: ClientApp) -> None:
    realm.login("anon-user", {})

    with clock_moved(timedelta(days=1, hours=23)), in_database(app):
        assert pruning.prune(batch_size=10).counts["app_logs"] == 0
    with clock_moved(timedelta(days=2, minutes=1)), in_database(app):
        assert pruning.prune(batch_size=10).counts["app_logs"] == 1


def test_pruning_goes_in_batches(app: Flask, realm: ClientApp) -> None:
    for _ in range(25):
        realm.login("anon-user", {})

    with clock_moved(timedelta(days=11)), in_database(app):
        assert pruning.prune_batch("app_logs", 10) == 10
        assert pruning.prune(batch_size=10).counts["app_logs"] == 15


# --- secrets ----------------------------------------------------------------------------------


def test_no_entry_holds_a_secret(realm: ClientApp) -> None:
    ann = realm.register_and_login("ann@example.com")
    user_key = realm.new_user_key(ann, "laptop")
    key_login = realm.login_with_key(user_key["key"])
    server_key = realm.create_server_key("backend")
    rolled = realm.admin.post(f"{realm.admin_path}/api_keys/{server_key['_id']}/roll",
                              json={"grace_period_seconds": 60}).get_json()
    realm.login("api-key", {"key": server_key["key"][:-2] + "xx"})
    realm.post("/auth/session", ann.refresh_token)
    realm.delete("/auth/session", key_login.refresh_token)

    stored = json.dumps(_logs(realm))

    secrets = [PASSWORD, user_key["key"], server_key["key"], rolled["key"],
               server_key["key"][:-2] + "xx", ann.access_token, ann.refresh_token,
               key_login.refresh_token, realm.admin.access_token, realm.admin.private_key]
    assert len(_logs(realm)) >= 8
    for secret in secrets:
        assert secret not in stored
