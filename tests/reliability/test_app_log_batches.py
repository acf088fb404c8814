"""App log entries written in batches by several worker processes all arrive.

Two servers of two workers each, with APP_LOG_BATCH_MS on: successful logins spread over
every worker, failed ones among them. Each failed login's entry is there as soon as its
answer is (read from the other server); every successful login's entry arrives within
the batch interval, none lost, none twice.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.reliability.deployment import Deployment, RealmApp, log_in, running

LOGINS = 24
MADE_UP_KEY = "ask_" + "A" * 60


def _entries(realm: RealmApp, server: int) -> list[dict[str, Any]]:
    answer = realm.admin.request("GET", f"{realm.path}/logs?type=AUTH", server=server)
    assert answer.status_code == 200, answer.text
    logs: list[dict[str, Any]] = answer.json()["logs"]
    return logs


def test_every_workers_batch_arrives_and_errors_arrive_at_once(tmp_path: Path) -> None:
    with running(tmp_path, count=2, workers=2, env={"APP_LOG_BATCH_MS": "100"}) as servers:
        deployment = Deployment([server.base_url for server in servers])
        realm = RealmApp.create(log_in(deployment), "batches")
        key = realm.new_server_key("batched")["key"]

        good = [realm.login("api-key", {"key": key}, server=n % 2) for n in range(LOGINS)]
        bad = realm.login("api-key", {"key": MADE_UP_KEY}, server=0)

        assert all(answer.status_code == 200 for answer in good)
        assert bad.status_code == 401
        co_id = bad.headers["X-Appservices-Request-Id"]
        assert [entry["status"] for entry in _entries(realm, server=1)
                if entry["co_id"] == co_id] == [401]
        wanted = {answer.headers["X-Appservices-Request-Id"] for answer in good}
        deadline = time.monotonic() + 30
        while True:
            seen = [entry["co_id"] for entry in _entries(realm, server=1)]
            if wanted <= set(seen) or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # waiting for other processes' batches, bounded
        assert wanted <= set(seen)
        assert len(seen) == len(set(seen)) == LOGINS + 1
