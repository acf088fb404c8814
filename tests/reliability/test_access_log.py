"""The access log line of every request ends with its correlation id, the id its response
header and its error's `link` name: an admin handed a link finds the request in the log."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.support.live_server import LiveServer


def test_the_access_log_line_names_the_request_by_its_correlation_id(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "server", workers=1) as server:
        refused = requests.post(
            f"{server.base_url}/api/client/v2.0/app/nosuchapp-abcde/auth/providers/"
            "anon-user/login", json={}, timeout=30)
        served = requests.get(f"{server.base_url}/healthz/live", timeout=30)
    co_id = refused.headers["X-Appservices-Request-Id"]
    assert refused.json()["link"].endswith(f"logs?co_id={co_id}")
    log = server.log_path.read_text()

    line = next(line for line in log.splitlines() if "nosuchapp-abcde" in line)
    assert re.search(r'" 404 \d+ .* co_id=' + co_id + "$", line), line
    assert f"co_id={served.headers['X-Appservices-Request-Id']}" in log
