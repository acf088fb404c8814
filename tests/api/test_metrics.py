"""`GET /metrics` (issue 15, part 5): Prometheus' text format, read with prometheus_client's
own parser, with counts that match what the test did; a token when one is set; a 404 when
switched off. The module's app throttles after 2 failed logins from an address, so that a
test can be throttled quickly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee
import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import TestResponse

from app.domain import logins
from tests.support.app import make_app
from tests.support.client_actions import ClientApp, client_app_on
from tests.support.wire import assert_error

LOGIN_ROUTE = "/api/client/v2.0/app/<string:clientAppId>/auth/providers/<string:provider>/login"
TOKEN = "metrics-token-for-tests-only"
MAX_FAILURES = 2

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"THROTTLE_FAILURES_PER_ADDRESS": MAX_FAILURES}


def scrape(client: FlaskClient, headers: dict[str, str] | None = None) -> Samples:
    """Every sample of /metrics, by name and labels, as Prometheus' parser reads them."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return parse(response.get_data(as_text=True))


def parse(text: str) -> Samples:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series does not exist (nothing was counted yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def _bad_login(realm: ClientApp) -> TestResponse:
    return realm.login("api-key", {"key": "ask_not-a-real-key"})


def test_two_good_logins_and_a_bad_one_are_counted_as_such(realm: ClientApp) -> None:
    key = realm.create_server_key("counted")["key"]

    realm.login_with_key(key)
    realm.login_with_key(key)
    assert_error(_bad_login(realm), 401, "AuthError")

    samples = scrape(realm.client)
    logins_total = "appservices_logins_total"
    assert value(samples, logins_total, provider="api-key", outcome="success") == 2
    assert value(samples, logins_total, provider="api-key", outcome="refused") == 1
    assert value(samples, logins_total, provider="api-key", outcome="throttled") == 0
    # One latency observation per login, under the route's rule, never the raw path.
    assert value(samples, "appservices_request_duration_seconds_count",
                 route=LOGIN_ROUTE, method="POST") == 3


def test_throttled_logins_are_counted(realm: ClientApp) -> None:
    for _ in range(MAX_FAILURES):
        assert_error(_bad_login(realm), 401, "AuthError")

    assert_error(_bad_login(realm), 429, "TooManyRequests")

    samples = scrape(realm.client)
    assert value(samples, "appservices_logins_total", provider="api-key",
                 outcome="throttled") == 1
    assert value(samples, "appservices_logins_total", provider="api-key",
                 outcome="refused") == MAX_FAILURES
    assert value(samples, "appservices_throttled_requests_total", route=LOGIN_ROUTE) == 1


def test_routes_are_labelled_by_rule_and_unknown_providers_and_paths_stay_bounded(
    realm: ClientApp
) -> None:
    realm.api.login(realm.client_app_id, "made-up-provider", {})
    realm.client.get("/no/such/path/6f0000000000000000000001")
    realm.client.open("/healthz/live", method="BREW")

    response = realm.client.get("/metrics")
    samples = parse(response.get_data(as_text=True))

    assert value(samples, "appservices_logins_total", provider="other", outcome="refused") == 1
    assert value(samples, "appservices_request_duration_seconds_count",
                 route="unmatched", method="GET") == 1
    assert value(samples, "appservices_request_duration_seconds_count",
                 route="unmatched", method="other") == 1  # 405: no rule matched BREW
    text = response.get_data(as_text=True)
    for raw in (realm.client_app_id, "made-up-provider", "6f0000000000000000000001", "BREW"):
        assert raw not in text


def test_keys_per_app_are_read_at_scrape_time(realm: ClientApp) -> None:
    realm.create_server_key("one")
    realm.create_server_key("two")
    owner = realm.register_and_login("ada@example.com")
    realm.new_user_key(owner, "laptop")

    samples = scrape(realm.client)

    assert value(samples, "appservices_api_keys", app_id=realm.app_id, kind="server") == 2
    assert value(samples, "appservices_api_keys", app_id=realm.app_id, kind="user") == 1


def test_database_errors_are_counted(realm: ClientApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*_: Any) -> None:
        raise peewee.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(logins, "login_target", unreachable)
    assert_error(_bad_login(realm), 503, "ServiceUnavailable")
    monkeypatch.undo()

    samples = scrape(realm.client)
    assert value(samples, "appservices_database_errors_total", error="OperationalError") == 1
    assert value(samples, "appservices_logins_total", provider="api-key", outcome="error") == 1


def test_with_a_token_set_only_its_bearer_reads_the_metrics(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    client = make_app(database_url, tmp_path / "token", METRICS_TOKEN=TOKEN).test_client()

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"})
    other_scheme = client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})

    for refused in (missing, wrong, other_scheme):
        assert_error(refused, 401, "InvalidSession")
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert TOKEN not in refused.get_data(as_text=True)
    samples = scrape(client, {"Authorization": f"Bearer {TOKEN}"})
    assert value(samples, "appservices_request_duration_seconds_count",
                 route="/metrics", method="GET") == 3  # the refused scrapes


def test_switched_off_it_is_not_found(app: Flask, database_url: str, tmp_path: Path) -> None:
    off = make_app(database_url, tmp_path / "off", METRICS_ENABLED=False)
    realm = client_app_on(off)

    assert_error(realm.client.get("/metrics"), 404, "NotFound")
    assert_error(realm.client.get("/metrics", headers={"Authorization": "Bearer x"}), 404,
                 "NotFound")


def test_prometheus_can_ask_for_openmetrics(realm: ClientApp) -> None:
    response = realm.client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})

    assert response.status_code == 200
    assert response.mimetype == "application/openmetrics-text"
    assert response.get_data(as_text=True).endswith("# EOF\n")
