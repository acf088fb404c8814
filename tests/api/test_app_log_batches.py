"""A successful request's app log entry is written with others, an error's at once.

With APP_LOG_BATCH_MS above 0 (100 by default; the suite's other tests set 0), the entries
of successful logins wait in their process for one transaction that writes them all; a
failed request's entry is written before its answer leaves, since its error's `link`
opens it. A reader in the same process writes the waiting entries first, and the
process's writer thread writes them within the interval without one.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from app.domain import app_logs
from app.models import AppLog
from tests.support.app import make_app
from tests.support.client_actions import ClientApp, client_app_on
from tests.support.store import in_database
from tests.support.wire import CORRELATION_HEADER

MADE_UP_KEY = "ask_" + "A" * 60


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"APP_LOG_BATCH_MS": 60_000}  # the writer thread never comes round in a test


def _stored(app: Flask) -> list[AppLog]:
    with in_database(app):
        return list(AppLog.select())


def test_a_successful_logins_entry_waits_for_its_batch_and_an_errors_does_not(
    app: Flask, realm: ClientApp
) -> None:
    key = realm.create_server_key()["key"]
    app_logs.flush()  # the key's creation
    before = len(_stored(app))

    good = realm.login("api-key", {"key": key})
    bad = realm.login("api-key", {"key": MADE_UP_KEY})

    assert good.status_code == 200 and bad.status_code == 401
    stored = _stored(app)[before:]
    assert [entry.co_id for entry in stored] == [bad.headers[CORRELATION_HEADER]]
    with in_database(app):
        assert app_logs.flush() == 1
    assert {entry.co_id for entry in _stored(app)[before:]} == {
        good.headers[CORRELATION_HEADER], bad.headers[CORRELATION_HEADER]}


def test_a_reader_in_the_same_process_sees_the_waiting_entries(realm: ClientApp) -> None:
    key = realm.create_server_key()["key"]

    good = realm.login("api-key", {"key": key})

    entries = realm.admin.logs(realm.app_id, co_id=good.headers[CORRELATION_HEADER])
    assert [entry["status"] for entry in entries] == [200]


def test_the_writer_thread_writes_a_batch_without_a_reader(tmp_path: Any) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'batch.sqlite'}", tmp_path / "instance",
                   APP_LOG_BATCH_MS=10)
    realm = client_app_on(app)
    key = realm.create_server_key()["key"]

    good = realm.login("api-key", {"key": key})

    co_id = good.headers[CORRELATION_HEADER]
    deadline = time.monotonic() + 10
    while co_id not in {entry.co_id for entry in _stored(app)} and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for the thread, bounded
    assert co_id in {entry.co_id for entry in _stored(app)}
