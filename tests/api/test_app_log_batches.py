"""A successful request's app log entry is written with others, an error's at once.

With APP_LOG_BATCH_MS above 0 (100 by default; the suite's other tests set 0), the entries
of successful logins wait in their process for one transaction that writes them all; a
failed request's entry is written before its answer leaves, since its error's `link`
opens it. A reader in the same process writes the waiting entries first, and the
process's writer thread writes them within the interval without one.
"""

from __future__ import annotations

import threading
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


def test_a_due_batch_is_written_by_a_requests_thread_once_its_answer_is_sent(
    app: Flask, realm: ClientApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = realm.create_server_key()["key"]
    app_logs.flush()
    first = realm.login("api-key", {"key": key})
    writers: list[str] = []
    real_write = app_logs._batch.write

    def spied_write(**kwargs: Any) -> int:
        writers.append(threading.current_thread().name)
        return real_write(**kwargs)

    monkeypatch.setattr(app_logs._batch, "write", spied_write)
    # The first entry has waited past the interval (its clock moved, not slept through).
    monkeypatch.setattr(app_logs._batch, "_first_at", time.monotonic() - 120)

    second = realm.login("api-key", {"key": key})
    assert writers == []  # not while the answer is on its way
    second.close()  # the server is done sending it (a WSGI server closes every answer)

    assert writers == [threading.current_thread().name]  # this test's own thread
    stored = {entry.co_id for entry in _stored(app)}
    assert {first.headers[CORRELATION_HEADER], second.headers[CORRELATION_HEADER]} <= stored
