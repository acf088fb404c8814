"""`appservices serve` with LOG_FORMAT=json writes its access log as one JSON object per
line (the in-process tests, tests/api/test_json_access_log.py, check the fields)."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.support.live_server import LiveServer


def test_serve_writes_one_json_line_per_request(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "server", workers=1, env={"LOG_FORMAT": "json"}) as server:
        refused = requests.post(
            f"{server.base_url}/api/client/v2.0/app/nosuchapp-abcde/auth/providers/"
            "anon-user/login?secret=query", json={}, timeout=30)
        served = requests.get(f"{server.base_url}/healthz/live", timeout=30)
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines()
             if line.startswith("{")]

    by_id = {line["co_id"]: line for line in lines}
    login = by_id[refused.headers["X-Appservices-Request-Id"]]
    assert (login["status"], login["client_app_id"]) == (404, "nosuchapp-abcde")
    assert login["path"].endswith("/anon-user/login")  # without its query string
    health = by_id[served.headers["X-Appservices-Request-Id"]]
    assert (health["route"], health["status"], health["method"]) == ("/healthz/live", 200, "GET")
    assert "secret=query" not in server.log_path.read_text()
