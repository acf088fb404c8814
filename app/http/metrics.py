"""`GET /metrics`: the service's counters in Prometheus' text format (issue 15, part 5).

What is counted, and where:

- every request's latency, per route (the Flask URL rule, never the raw path: ids in paths
  would make a series per key) and method: one histogram observation a request, made by
  `ServiceFlask.wsgi_app` through `observe`, which also counts logins (provider and
  outcome, from the login route's status) and throttled requests (429s), per route;
- database errors, by exception class, where the HTTP layer turns one into an answer;
- keys per app, read from the database at scrape time only (bounded: the `MOST_APPS`
  apps with most keys of a kind).

Nothing else is done per request, and no request but a scrape asks the database.

Several worker processes (`appservices serve`) each count their own requests; with
PROMETHEUS_MULTIPROC_DIR set (serve sets it) prometheus_client writes every process'
values to files there, and a scrape, whichever worker answers it, sums them all. Without
it (one process: tests, `flask run`) the counts live in this app's own registry.

The route itself is app.http.health's (`metrics`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from app.domain import api_keys, availability, providers
from app.http.flask_app import SERVED_ARGS, SERVED_RULE

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# The keys-per-app gauge shows at most this many (app, kind) series.
MOST_APPS = 1000
LOGIN_ENDPOINT = "client-login.login"
UNMATCHED_ROUTE = "unmatched"  # a path no route serves (a 404 before any view)
# Logins take from about a millisecond (a key) to a quarter of a second (bcrypt).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0)
_EXTENSION = "appservices_metrics"
_WORKER_FILE = re.compile(r".*_(\d+)\.db")


def login_outcome(status: int) -> str:
    """A login's outcome from its status: one of a few words, so series stay bounded."""
    if status < 300:
        return "success"
    if status == 429:
        return "throttled"
    if status in (401, 403):
        return "refused"  # wrong or disabled credentials, a disabled user or provider
    return "error" if status >= 500 else "invalid"


class ServiceMetrics:
    """The counters of one Flask app, and what a request costs them."""

    def __init__(self) -> None:
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "appservices_request_duration_seconds",
            "Time to answer a request, per route (the URL rule) and method",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.logins = Counter(
            "appservices_logins", "Client API logins, per provider and outcome "
            "(success, refused, throttled, invalid, error)",
            ["provider", "outcome"], registry=self.registry)
        self.throttled = Counter(
            "appservices_throttled_requests", "Requests refused with 429 TooManyRequests "
            "(failed-login and registration throttling), per route",
            ["route"], registry=self.registry)
        self.database_errors = Counter(
            "appservices_database_errors", "Database errors answered (503 while it is "
            "unreachable, 500 otherwise), per exception class",
            ["error"], registry=self.registry)
        # (route, method) -> the histogram's child: `labels()` takes a lock and builds a
        # key each time; a request should cost one dictionary read and one observation.
        self._request_series: dict[tuple[str, str], Any] = {}

    def observe(self, environ: WSGIEnvironment, status: str, seconds: float) -> None:
        """Count one answered request (called by ServiceFlask.wsgi_app)."""
        rule = environ.get(SERVED_RULE)
        route = rule.rule if rule is not None else UNMATCHED_ROUTE
        method = environ.get("REQUEST_METHOD", "")
        if method not in _METHODS:  # a client can send any word as its method
            method = "other"
        key = (route, method)
        series = self._request_series.get(key)
        if series is None:
            series = self._request_series[key] = self.requests.labels(*key)
        series.observe(seconds)
        code = int(status[:3]) if status[:3].isdigit() else 500
        if rule is not None and rule.endpoint == LOGIN_ENDPOINT:
            provider = (environ.get(SERVED_ARGS) or {}).get("provider")
            self.logins.labels(provider if provider in providers.TYPES else "other",
                               login_outcome(code)).inc()
        if code == 429:
            self.throttled.labels(route).inc()

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The metrics as Prometheus (or OpenMetrics, when asked) text, with its type."""
        scrape = CollectorRegistry()
        if self.multiprocess_dir:  # every worker's values, from their files
            _forget_dead_workers(self.multiprocess_dir)
            multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
                scrape, path=self.multiprocess_dir)
        else:
            for metric in (self.requests, self.logins, self.throttled, self.database_errors):
                scrape.register(metric)
        scrape.register(_KeysPerApp(_key_counts()))
        encoder, content_type = choose_encoder(accept or "")
        return encoder(scrape), content_type


def _key_counts() -> list[api_keys.KeyCount]:
    """The keys per app, or none while the database fails: the counters of an outage are
    the ones most worth reading, so they are still answered."""
    try:
        return api_keys.count_per_app(MOST_APPS)
    except availability.DATABASE_FAILED as error:
        availability.forget_connection()
        count_database_error(error)
        return []


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _KeysPerApp:
    """The keys-per-app gauge: read from the database at scrape time, never counted."""

    def __init__(self, counts: list[api_keys.KeyCount]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "appservices_api_keys", "API keys per app and kind (server, user); the "
            f"{MOST_APPS} (app, kind) pairs with most keys", labels=["app_id", "kind"])
        for count in self._counts:
            gauge.add_metric([count.app_id, count.kind], count.count)
        yield gauge


def _forget_dead_workers(directory: str) -> None:
    """Remove the live-gauge files of worker processes that have exited.

    prometheus_client keeps a file per process and kind of value. A dead worker's counters
    and histograms stay, so that totals never go down when a worker is replaced; its
    live gauges must go (`mark_process_dead`, as gunicorn's child_exit hook would do).
    """
    pids = {int(match.group(1)) for name in os.listdir(directory)
            if (match := _WORKER_FILE.fullmatch(name))}
    for pid in pids - {os.getpid()}:
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def current() -> ServiceMetrics | None:
    """The metrics of the app serving the request, when it counts any."""
    found: ServiceMetrics | None = current_app.extensions.get(_EXTENSION)
    return found


def count_database_error(error: BaseException) -> None:
    """Count a database error the HTTP layer is answering."""
    metrics = current()
    if metrics is not None:
        metrics.database_errors.labels(type(error).__name__).inc()


def init_app(app: Flask) -> None:
    """Count this app's requests, unless METRICS_ENABLED is off (then /metrics is a 404)."""
    if not app.config["METRICS_ENABLED"]:
        return
    # A `_created` series beside every series doubles what a scrape carries, for a time
    # nobody graphs.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    service_metrics = ServiceMetrics()
    app.extensions[_EXTENSION] = service_metrics
    app.request_observer = service_metrics.observe  # type: ignore[attr-defined]

