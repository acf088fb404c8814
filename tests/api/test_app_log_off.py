"""APP_LOG_ENABLED=false keeps no app log entries: logins, failed logins and key changes
leave nothing behind, `GET .../logs` answers an empty list, and errors keep their link."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.models import AppLog
from tests.support.client_actions import ClientApp
from tests.support.store import in_database
from tests.support.wire import assert_error


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"APP_LOG_ENABLED": False}


def test_nothing_is_kept_and_the_logs_are_empty(app: Flask, realm: ClientApp) -> None:
    key = realm.create_server_key("backend")
    realm.login_with_key(key["key"])
    refused = realm.login("api-key", {"key": "not-a-key"})
    assert_error(refused, 401, "AuthError")
    assert realm.admin.logs(realm.app_id) == []
    with in_database(app):
        assert AppLog.select().count() == 0
