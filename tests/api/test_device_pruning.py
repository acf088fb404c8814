"""Devices do not pile up: a device row goes once no session opened from it can be alive.

SDKs describe their device at each login and send back the id they were given; a script
that describes itself but never sends the id back (realm-web in a short-lived process,
say) gets a new device per login. Each row is kept as long as the longest session opened
from it may live (its refresh token's lifetime, plus a minute), then pruned; a device that
an anonymous session (which never expires) may use stays.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from app import clock
from app.domain import pruning
from app.models import Device
from tests.support.client_actions import ClientApp
from tests.support.store import in_database
from tests.support.wire import assert_json

DAY = 24 * 3600
LIFETIME = 60 * DAY  # the default REFRESH_TOKEN_SECONDS
SCRIPT = {"platform": "node", "sdkVersion": "2.0.1", "platformVersion": "20.11"}


def _login(realm: ClientApp, provider: str, credentials: dict[str, Any],
           device: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = assert_json(realm.login(provider, credentials, device=device), 200)
    return body


def _device_ids(app: Flask) -> set[str]:
    with in_database(app):
        return {str(row.id) for row in Device.select(Device.id)}


def _prune(app: Flask) -> int:
    with in_database(app):
        return pruning.prune(batch_size=2).counts["devices"]


def test_a_scripts_devices_go_once_their_sessions_have_expired(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    first = [_login(realm, "api-key", {"key": key}, SCRIPT)["device_id"] for _ in range(3)]
    assert set(first) <= _device_ids(app)
    assert len(set(first)) == 3  # a device per login: the script never sends its id back

    clock.advance(timedelta(seconds=LIFETIME - DAY))
    later = _login(realm, "api-key", {"key": key}, SCRIPT)["device_id"]
    assert _prune(app) == 0  # every session opened from them may still be alive

    clock.advance(timedelta(seconds=2 * DAY + 60))  # past the first ones' expiry

    assert _prune(app) == 3
    assert _device_ids(app) == {later}


def test_a_device_sent_back_is_kept_as_long_as_its_newest_session(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    device_id = _login(realm, "api-key", {"key": key}, SCRIPT)["device_id"]

    clock.advance(timedelta(seconds=LIFETIME))
    again = _login(realm, "api-key", {"key": key}, {**SCRIPT, "deviceId": device_id})
    assert again["device_id"] == device_id  # the same device, seen again
    clock.advance(timedelta(seconds=2 * DAY))  # the first session's device date has passed

    assert _prune(app) == 0
    assert device_id in _device_ids(app)


def test_an_anonymous_users_device_stays(app: Flask, realm: ClientApp) -> None:
    anonymous = _login(realm, "anon-user", {}, SCRIPT)["device_id"]
    key = realm.create_server_key()["key"]
    by_key = _login(realm, "api-key", {"key": key}, SCRIPT)["device_id"]

    clock.advance(timedelta(seconds=10 * LIFETIME))
    assert _prune(app) == 1

    assert _device_ids(app) == {anonymous}
    # Its session still works, and a login that sends the id back still gets it.
    again = _login(realm, "anon-user", {}, {**SCRIPT, "deviceId": anonymous})
    assert again["device_id"] == anonymous
    assert by_key not in _device_ids(app)


def test_a_device_once_used_anonymously_is_not_dated_again_by_a_key_login(
    app: Flask, realm: ClientApp
) -> None:
    shared = _login(realm, "anon-user", {}, SCRIPT)["device_id"]
    key = realm.create_server_key()["key"]
    _login(realm, "api-key", {"key": key}, {**SCRIPT, "deviceId": shared})

    clock.advance(timedelta(seconds=10 * LIFETIME))

    assert _prune(app) == 0
    assert shared in _device_ids(app)
