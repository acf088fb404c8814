"""Steps of features/app_logs.feature: following a key in the app's logs (issue 15).

Black-box: the log is read through the Admin API (`GET .../logs`) as any admin would.
A successful request's entry reaches the database with its server process's next batch
(APP_LOG_BATCH_MS, 100 ms), maybe through another process than the one that reads it, so
the steps read the log until what they expect is there, for a bounded time, never
sleeping a set time. Pruning happens in the servers' background; the step that waits
for it is bounded too.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import PASSWORD, World, pattern
from tests.support.client_api import ClientApi

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/app_logs.feature")

CORRELATION_HEADER = "X-Appservices-Request-Id"
# A batch is written every 100 ms; this leaves room for a busy machine.
ENTRY_TIMEOUT_SECONDS = 10.0
# The suite's servers prune every second; a deployment's default interval is 60 s.
PRUNE_TIMEOUT_SECONDS = 90.0
POLL_INTERVAL_SECONDS = 0.05
KEY_ID_IN_MESSAGE = re.compile(r" \([0-9a-f]{24}\)$")

T = TypeVar("T")


@dataclass
class Seen:
    """What this feature's steps keep between them."""

    entry: dict[str, Any] | None = None  # the log entry the last step found
    wrong_values: list[str] = field(default_factory=list)  # near misses of real keys


@pytest.fixture
def seen() -> Seen:
    return Seen()


def _until(read: Callable[[], T], done: Callable[[T], bool], timeout: float) -> T:
    """Read until `done` holds of what was read, or the time is up; return the last read."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() >= deadline:
            return value
        time.sleep(POLL_INTERVAL_SECONDS)  # polling for the entry, not waiting a set time


def _log(world: World, **params: str) -> list[dict[str, Any]]:
    """Every entry of the scenario's app matching `params`, newest first (all pages)."""
    return world.admin.logs(world.app_id, **params)


def _row(entry: dict[str, Any]) -> list[str]:
    """An entry as the feature's tables show it: type, event, status."""
    event = entry.get("auth_event")
    if event is not None:
        what = " ".join(part for part in (event.get("type"), event.get("provider")) if part)
    else:
        # "disable API key 'reporting' (<its id>)": the tables name keys by name alone.
        what = KEY_ID_IN_MESSAGE.sub("", (entry.get("messages") or [""])[0])
    status = str(entry["status"])
    if "error_code" in entry:
        status += f" {entry['error_code']}"
    return [entry["type"], what, status]


def _co_id(world: World) -> str:
    assert world.response is not None, "no request was made"
    return world.response.headers[CORRELATION_HEADER]


def _entry(seen: Seen) -> dict[str, Any]:
    assert seen.entry is not None, "no step has found a log entry yet"
    return seen.entry


# --- making requests -------------------------------------------------------------------


@when(pattern('someone logs in with the "{name}" key from this device:'))
def someone_logs_in_from_a_device(world: World, name: str,
                                  datatable: list[list[str]]) -> None:
    header, values = datatable
    device = dict(zip(header, values, strict=True))
    world.response = ClientApi(world.http).login(
        world.client_app_id, "api-key", {"key": world.keys[name].value}, device=device)


@when(pattern('someone logs in with the "{name}" key with its last character changed'))
def someone_logs_in_with_a_near_miss(world: World, seen: Seen, name: str) -> None:
    value = world.keys[name].value
    near_miss = value[:-1] + ("A" if value[-1] != "A" else "B")
    seen.wrong_values.append(near_miss)
    world.response = world.log_in("api-key", {"key": near_miss})
    assert world.response.status_code == 401, world.response.text


# --- one request's entry ------------------------------------------------------------------


@then(pattern('that request is in the app\'s log as one "{entry_type}" entry with status '
              '{status:d}'))
def that_request_is_in_the_log(world: World, seen: Seen, entry_type: str,
                               status: int) -> None:
    co_id = _co_id(world)
    found = _until(lambda: _log(world, co_id=co_id), bool, ENTRY_TIMEOUT_SECONDS)
    assert len(found) == 1, f"expected one entry with co_id {co_id}, found {found}"
    seen.entry = found[0]
    assert (seen.entry["type"], seen.entry["status"]) == (entry_type, status), seen.entry
    assert seen.entry["co_id"] == co_id and seen.entry["app_id"] == world.app_id


@then("the error's link, followed through the Admin API, finds exactly that request's entry")
def the_link_finds_the_entry(world: World, seen: Seen) -> None:
    assert world.response is not None
    link = urlsplit(world.response.json()["link"])
    assert link.path == f"/groups/{world.admin.group_id}/apps/{world.app_id}/logs", link
    assert dict(parse_qsl(link.query)) == {"co_id": _co_id(world)}, link
    # The Admin API answers the link's path and query under /api/admin/v3.0. A failed
    # request's entry is written before its answer leaves: no waiting.
    followed = world.admin.get(f"{link.path}?{link.query}")
    assert followed.status_code == 200, followed.text
    found = followed.json()["logs"]
    assert len(found) == 1, found
    seen.entry = found[0]
    assert seen.entry["co_id"] == _co_id(world)
    assert seen.entry["status"] == world.response.status_code


@then(pattern('the entry says "{event}" through the "{provider}" provider'))
def the_entry_says(seen: Seen, event: str, provider: str) -> None:
    entry = _entry(seen)
    assert entry["type"] == "AUTH", entry
    assert entry["auth_event"] == {"type": event, "provider": provider}, entry


@then(pattern('the entry\'s user is the server user of the "{name}" key'))
def the_entrys_user_is_the_server_user(world: World, seen: Seen, name: str) -> None:
    assert _entry(seen).get("user_id") == world.server_user_of(name)["_id"], seen.entry


@then("the entry shows the device:")
def the_entry_shows_the_device(seen: Seen, datatable: list[list[str]]) -> None:
    header, values = datatable
    entry = _entry(seen)
    assert {field: entry.get(field) for field in header} == dict(
        zip(header, values, strict=True)), entry


@then("the entry shows the error the client got, and no user")
def the_entry_shows_the_error(world: World, seen: Seen) -> None:
    assert world.response is not None
    answered = world.response.json()
    entry = _entry(seen)
    assert (entry["error"], entry["error_code"]) == (answered["error"],
                                                     answered["error_code"]), entry
    assert "user_id" not in entry, entry


@then(pattern('the entry\'s messages say "{action}" the "{name}" key, by the admin\'s key'))
def the_entrys_messages_name_the_admin_key(world: World, seen: Seen, action: str,
                                           name: str) -> None:
    assert _entry(seen)["messages"] == [
        f"{action} API key '{name}' ({world.keys[name].id})",
        f"by admin key {world.admin.public_key}",
    ], seen.entry


# --- listings ----------------------------------------------------------------------------


def _assert_lists(world: World, datatable: list[list[str]], timeout: float,
                  **params: str) -> None:
    expected = [list(row) for row in datatable[1:]]  # after the header row
    found = _until(lambda: [_row(entry) for entry in _log(world, **params)],
                   lambda rows: rows == expected, timeout)
    assert found == expected, f"the app's log ({params or 'everything'}) lists {found}"


@then("the app's log lists, newest first:")
def the_log_lists(world: World, datatable: list[list[str]]) -> None:
    _assert_lists(world, datatable, ENTRY_TIMEOUT_SECONDS)


@then(pattern('the app\'s log asked for "{query}" lists:'))
def the_log_asked_for_lists(world: World, query: str, datatable: list[list[str]]) -> None:
    _assert_lists(world, datatable, ENTRY_TIMEOUT_SECONDS, **dict(parse_qsl(query)))


@then(pattern('the app\'s log asked for "{query}" lists nothing'))
def the_log_asked_for_lists_nothing(world: World, query: str) -> None:
    page = world.admin.logs_page(world.app_id, **dict(parse_qsl(query)))
    assert page == {"logs": []}, page


@then("once the pruner has run, the app's log lists:")
def once_pruned_the_log_lists(world: World, datatable: list[list[str]]) -> None:
    expected = [list(row) for row in datatable[1:]]
    found = _until(lambda: [_row(entry) for entry in _log(world)],
                   lambda rows: rows == expected, PRUNE_TIMEOUT_SECONDS)
    assert found == expected, (
        f"after {PRUNE_TIMEOUT_SECONDS:.0f} s the app's log still lists {found}: does this "
        "server prune (PRUNE_INTERVAL_SECONDS above 0) and keep entries the default 10 "
        "days (LOG_RETENTION_DAYS)?")


@then("no entry of the app's log holds a key's value, a token or the password")
def no_entry_holds_a_secret(world: World, seen: Seen) -> None:
    stored = json.dumps(_log(world))
    sessions = [*world.sessions.values(), world.latest_session, world.earlier_session]
    secrets = {
        "the password": PASSWORD,
        "the admin's private key": world.admin.private_key,
        "the admin's access token": world.admin.access_token,
        **{f"the value of the {name!r} key": key.value for name, key in world.keys.items()},
        **{f"a token of {session.user_id}": token for session in sessions if session
           for token in (session.access_token, session.refresh_token)},
        **{f"the wrong value {number} a client sent": value
           for number, value in enumerate(seen.wrong_values, 1)},
    }
    assert len(secrets) >= 7, secrets.keys()  # the scan must have something to look for
    for what, secret in secrets.items():
        assert secret and secret not in stored, f"an entry holds {what}"
        # Nor any long part of it (a key's value without its checksum, say).
        assert secret[:24] not in stored, f"an entry holds the start of {what}"
