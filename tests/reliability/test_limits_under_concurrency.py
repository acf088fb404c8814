"""The key limits hold under concurrency: 100 server keys per app, 20 keys per user.

Many creators at one instant, on SQLite behind four gunicorn workers (four processes) and
on PostgreSQL behind two separate servers, requests alternating between them. Each limit
is checked and written in one transaction that takes the write lock at once (SQLite's
BEGIN IMMEDIATE) or locks the owner row (PostgreSQL's SELECT ... FOR UPDATE); without
that, two creators both see 99 keys and both add one, or SQLite refuses one of them with
"database is locked", a 5xx. The races themselves are in limits.py: test_topology.py
runs them through HAProxy and PgBouncer too.
"""

from __future__ import annotations

from tests.reliability.deployment import Deployment
from tests.reliability.limits import (
    fifty_concurrent_creates_on_95_server_keys_make_exactly_100,
    thirty_concurrent_creates_on_15_user_keys_make_exactly_20,
)
from tests.support.live_server import LiveServer


def test_fifty_concurrent_creates_on_95_server_keys_make_exactly_100(
    deployment: Deployment, servers: list[LiveServer]
) -> None:
    fifty_concurrent_creates_on_95_server_keys_make_exactly_100(
        deployment, servers[0].database_url)


def test_thirty_concurrent_creates_on_15_user_keys_make_exactly_20(
    deployment: Deployment, servers: list[LiveServer]
) -> None:
    thirty_concurrent_creates_on_15_user_keys_make_exactly_20(
        deployment, servers[0].database_url)
