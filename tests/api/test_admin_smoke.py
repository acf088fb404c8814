"""The seed's admin flow end to end: log in, create an app, enable the provider,
create a server key, list keys."""

from __future__ import annotations

from typing import Any

from tests.support.app import InProcessAdmin


def test_admin_flow_creates_a_server_key_shown_once(
    admin_session: InProcessAdmin, enabled_app: dict[str, Any]
) -> None:
    app_path = admin_session.app_path(enabled_app["_id"])
    created = admin_session.create_server_key(enabled_app["_id"], "reporting")
    assert created.status_code == 201
    assert set(created.json) == {"_id", "key", "name", "disabled"}
    assert created.json["disabled"] is False

    listed = admin_session.get(f"{app_path}/api_keys")
    assert listed.status_code == 200
    assert listed.json == [{"_id": created.json["_id"], "name": "reporting", "disabled": False}]

    server_users = admin_session.get(f"{app_path}/users").json
    assert [user["type"] for user in server_users] == ["server"]
    assert server_users[0]["identities"][0]["id"] == created.json["_id"]
