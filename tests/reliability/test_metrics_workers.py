"""`/metrics` under `appservices serve` with two workers: each worker counts the logins it
serves, and a scrape, whichever worker answers it, shows the sum (prometheus_client's
multiprocess mode, in a folder `serve` makes for its workers and removes when it stops).
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.support.admin_api import AdminApi
from tests.support.http import CLIENT_BASE, Live
from tests.support.live_server import LiveServer

LOGINS = "appservices_logins_total"
BATCH = 12
MOST_BATCHES = 10


def _metrics_folder(server: LiveServer) -> Path:
    """The folder `serve` made for its workers: the one of the temporary folders that holds
    the files of this server's workers (those that served a request already)."""
    assert server.pid is not None
    workers = {worker.pid for worker in psutil.Process(server.pid).children()}
    assert len(workers) == 2, workers
    found = [folder for folder in Path(tempfile.gettempdir()).glob("appservices-metrics-*")
             if any(int(path.stem.rsplit("_", 1)[1]) in workers
                    for path in folder.glob("*_*.db"))]
    assert len(found) == 1, found
    return found[0]


def _successes(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == LOGINS and sample.labels.get("outcome") == "success")


def _successes_per_worker(folder: Path) -> dict[int, float]:
    """What each worker's own file says it counted."""
    counted = {}
    for path in folder.glob("counter_*.db"):
        metrics = MultiProcessCollector.merge(  # type: ignore[no-untyped-call]
            [str(path)], accumulate=True)
        counted[int(path.stem.rsplit("_", 1)[1])] = sum(
            sample.value for metric in metrics for sample in metric.samples
            if sample.name == LOGINS and sample.labels.get("outcome") == "success")
    return counted


def _login(base_url: str, client_app_id: str, key: str) -> int:
    # A connection of its own each time, so that the workers share the logins.
    return requests.post(
        f"{base_url}{CLIENT_BASE}/app/{client_app_id}/auth/providers/api-key/login",
        json={"key": key}, timeout=30).status_code


def test_a_scrape_answers_the_logins_of_both_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # serve makes its own
    with LiveServer(tmp_path / "server", workers=2) as server:
        admin = AdminApi(Live(server.base_url)).log_in()
        created = admin.create_app("counted")
        admin.enable_api_keys(created["_id"])
        key = admin.new_server_key(created["_id"], "busy")["key"]
        folder = _metrics_folder(server)

        sent = 0
        with ThreadPoolExecutor(max_workers=6) as pool:
            for _ in range(MOST_BATCHES):
                statuses = list(pool.map(
                    lambda _: _login(server.base_url, created["client_app_id"], key),
                    range(BATCH)))
                assert statuses == [200] * BATCH
                sent += BATCH
                per_worker = _successes_per_worker(folder)
                if len([n for n in per_worker.values() if n]) == 2:
                    break
        assert len([n for n in per_worker.values() if n]) == 2, per_worker
        assert sum(per_worker.values()) == sent

        # Whichever worker answers (a new connection each time), it answers the sum.
        scrapes = [requests.get(f"{server.base_url}/metrics", timeout=30) for _ in range(6)]
        assert all(scrape.status_code == 200 for scrape in scrapes)
        assert {_successes(scrape.text) for scrape in scrapes} == {sent}
    assert not folder.exists()  # removed with the server
