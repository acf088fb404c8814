"""Why an upgrade stops every old server before the new release migrates (docs/operations.md,
"Upgrading"), shown with release 0.1.0's own code.

Release 0.1.0 serves from its database (the fixture's) while a server of this release
starts on the same database and migrates it. Then: what the old server issued still
works on the new one, but not the other way round (the new server's ES256 tokens and the
scrypt hash it rewrites an admin pair's digest to are refused by the old one), and the
old release refuses to start again on the migrated schema.

It checks out commit 9174bbf into a temporary git worktree (a clone with its history).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.storage import SCHEMA_VERSION
from tests.storage.fixtures.release_0_1_0.make import (
    RELEASE_COMMIT,
    Release,
    release_checkout,
    release_in_history,
)
from tests.support.http import ADMIN_LOGIN, CLIENT_BASE
from tests.support.live_server import LiveServer
from tests.support.releases import RELEASE_0_1_0, secrets_0_1_0

SECRETS = secrets_0_1_0()
MADE: dict[str, Any] = SECRETS["sqlite"]


@pytest.fixture(scope="module")
def checkout() -> Iterator[Path]:
    if not release_in_history():
        # An archive, or a shallow clone: the release's code is not here to run.
        pytest.skip(f"release 0.1.0 ({RELEASE_COMMIT}) is not in this clone's git history")
    with release_checkout() as folder:
        yield folder


def _refresh(base_url: str, refresh_token: str) -> int:
    return requests.post(f"{base_url}{CLIENT_BASE}/auth/session", timeout=10,
                         headers={"Authorization": f"Bearer {refresh_token}"}).status_code


def _key_login(base_url: str, client_app_id: str, key: str) -> requests.Response:
    return requests.post(
        f"{base_url}{CLIENT_BASE}/app/{client_app_id}/auth/providers/api-key/login",
        json={"key": key}, timeout=10)


def _admin_login(base_url: str, pair: dict[str, Any]) -> int:
    return requests.post(f"{base_url}{ADMIN_LOGIN}", timeout=10, json={
        "username": pair["public_key"], "apiKey": pair["private_key"]}).status_code


def test_an_old_server_cannot_keep_serving_from_a_migrated_database(
        checkout: Path, tmp_path: Path) -> None:
    database = tmp_path / "appservices.db"
    shutil.copyfile(RELEASE_0_1_0 / "appservices.sqlite3", database)
    url = f"sqlite:///{database}"
    old = Release(checkout, tmp_path / "old", url)
    (old.instance / "test_clock_offset").write_text("0")  # both servers on real time
    app = MADE["apps"][0]
    key = app["server_keys"][0]
    pair = MADE["admin_pairs"][1]  # made by 0.1.0's `admin create-key`: a SHA-256 digest

    with old.serving() as old_url:
        issued_by_old = _key_login(old_url, app["client_app_id"], key["key"])
        assert issued_by_old.status_code == 200, issued_by_old.text
        with LiveServer(tmp_path / "new", database_url=url,
                        env={"SECRET_KEY": SECRETS["secret_key"]}) as new:  # migrates
            health = requests.get(f"{new.base_url}/healthz", timeout=10).json()
            assert health["schema_version"] == {"database": SCHEMA_VERSION,
                                                "code": SCHEMA_VERSION}
            # The new release takes what the old one issued ...
            assert _refresh(new.base_url, issued_by_old.json()["refresh_token"]) == 201
            # ... but the old one refuses what the new one issues: a client that refreshed
            # on a new server is logged out when its next request lands on an old one.
            issued_by_new = _key_login(new.base_url, app["client_app_id"], key["key"])
            assert issued_by_new.status_code == 200, issued_by_new.text
            assert _refresh(new.base_url, issued_by_new.json()["refresh_token"]) == 201
            assert _refresh(old_url, issued_by_new.json()["refresh_token"]) == 401
            # An admin pair that logs in on a new server gets its digest rewritten as a
            # scrypt hash, which the old release cannot check.
            assert _admin_login(old_url, pair) == 200
            assert _admin_login(new.base_url, pair) == 200
            assert _admin_login(old_url, pair) == 401

    # And the old release does not start again on the migrated database.
    again = old.run("admin", "create-key")
    assert again.returncode != 0
    assert (f"the database is at schema version {SCHEMA_VERSION}, but this release knows "
            "only up to 2") in again.stderr
