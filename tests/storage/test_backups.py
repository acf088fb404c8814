"""Backups that restore (issue 16, part 3), as README "Backups" tells operators to take them.

SQLite: `appservices admin backup --to FILE` while a live server answers logins (each
writes a session), then `appservices admin restore --from FILE` into a fresh instance and
a fresh server on it. PostgreSQL: the README's pg_dump / pg_restore recipe, run as it is
written against the suite's throw-away server. Either way the keys made before the backup
log in on the restored server, and a key made after it is refused.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.storage import SCHEMA_VERSION
from tests.support.admin_api import AdminApi, LiveAdmin
from tests.support.client_api import ClientApi
from tests.support.http import Live
from tests.support.live_server import LiveServer
from tests.support.postgres import drop_database, new_database
from tests.support.releases import RELEASE_0_1_0, postgres_tool

ROOT = Path(__file__).resolve().parents[2]
# Both servers must share it: the database's token signing keys are encrypted with it.
SECRET = {"SECRET_KEY": "backup-test-secret-key-shared-by-both-servers"}


def appservices(*args: str, database_url: str, instance: Path) -> subprocess.CompletedProcess[str]:
    """The installed command as an operator runs it, with a server's configuration."""
    env = {**os.environ, **SECRET, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
           "APPSERVICES_INSTANCE_PATH": str(instance)}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


class LoginsInTheBackground:
    """Key logins, one after another, until stopped; each answer's status is kept."""

    def __init__(self, base_url: str, client_app_id: str, key: str) -> None:
        self.client = ClientApi(Live(base_url))
        self.client_app_id, self.key = client_app_id, key
        self.statuses: list[int] = []
        self._answered = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            login = self.client.login(self.client_app_id, "api-key", {"key": self.key})
            with self._answered:
                self.statuses.append(login.status_code)
                self._answered.notify_all()

    def wait_for_more(self, count: int) -> None:
        """Return once `count` more logins have been answered."""
        with self._answered:
            target = len(self.statuses) + count
            assert self._answered.wait_for(lambda: len(self.statuses) >= target, timeout=30)

    def __enter__(self) -> LoginsInTheBackground:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def seed(server: LiveServer) -> tuple[LiveAdmin, dict[str, Any], list[str]]:
    """An app with its api-key provider on and three server keys (their values)."""
    admin = AdminApi(Live(server.base_url)).log_in()
    app = admin.create_app("backedup")
    admin.enable_api_keys(app["_id"])
    keys = [admin.new_server_key(app["_id"], f"before-{n}")["key"] for n in range(3)]
    return admin, app, keys


def assert_restored(server: LiveServer, app: dict[str, Any], before: list[str],
                    after: str) -> None:
    client = ClientApi(Live(server.base_url))
    for key in before:
        login = client.login(app["client_app_id"], "api-key", {"key": key})
        assert login.status_code == 200, login.text
    refused = client.login(app["client_app_id"], "api-key", {"key": after})
    assert refused.status_code == 401, refused.text
    admin = AdminApi(Live(server.base_url)).log_in()
    assert [key["name"] for key in admin.server_keys(app["_id"])] == [
        "before-0", "before-1", "before-2"]


def test_a_sqlite_backup_taken_while_serving_restores_into_a_fresh_server(
        tmp_path: Path) -> None:
    backup = tmp_path / "backups" / "appservices.db"
    backup.parent.mkdir()
    with LiveServer(tmp_path / "serving", env=SECRET) as serving:
        admin, app, keys = seed(serving)
        with LoginsInTheBackground(serving.base_url, app["client_app_id"], keys[0]) as logins:
            logins.wait_for_more(5)  # the server is busy before the backup starts ...
            taken = appservices("admin", "backup", "--to", str(backup),
                                database_url=serving.database_url, instance=serving.instance_path)
            logins.wait_for_more(5)  # ... and after it
        assert taken.returncode == 0, taken.stderr
        assert f"schema version {SCHEMA_VERSION}" in taken.stdout
        assert set(logins.statuses) == {200}
        after = admin.new_server_key(app["_id"], "after-backup")["key"]
    assert backup.stat().st_mode & 0o077 == 0  # it holds what the database holds

    fresh = tmp_path / "fresh"
    restored_url = f"sqlite:///{fresh / 'live.db'}"
    restored = appservices("admin", "restore", "--from", str(backup),
                           database_url=restored_url, instance=fresh)
    assert restored.returncode == 0, restored.stderr
    with LiveServer(fresh, env=SECRET) as server:
        assert_restored(server, app, keys, after)


def test_a_backup_is_not_written_over_an_existing_file(tmp_path: Path) -> None:
    database = tmp_path / "appservices.db"
    shutil.copyfile(RELEASE_0_1_0 / "appservices.sqlite3", database)
    url = f"sqlite:///{database}"
    target = tmp_path / "backup.db"
    target.write_text("yesterday's backup")
    refused = appservices("admin", "backup", "--to", str(target), database_url=url,
                          instance=tmp_path)
    assert refused.returncode == 1
    assert "exists; choose another file or pass --force" in refused.stderr
    assert target.read_text() == "yesterday's backup"
    forced = appservices("admin", "backup", "--to", str(target), "--force", database_url=url,
                         instance=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "schema version 2" in forced.stdout  # a backup changes nothing, not even the schema


def test_restore_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    target = tmp_path / "instance" / "appservices.db"
    url = f"sqlite:///{target}"

    def restore(source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return appservices("admin", "restore", "--from", str(source), *extra,
                           database_url=url, instance=tmp_path / "instance")

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database")
    assert "is not a usable SQLite database" in restore(not_sqlite).stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (id INTEGER)")
    assert "not one of appservices" in restore(other).stderr
    newer = tmp_path / "newer.db"
    shutil.copyfile(RELEASE_0_1_0 / "appservices.sqlite3", newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("INSERT INTO schema_version VALUES (?, 0)", (SCHEMA_VERSION + 1,))
    assert "made by a newer release" in restore(newer).stderr
    assert not target.exists()

    old = RELEASE_0_1_0 / "appservices.sqlite3"
    assert restore(old).returncode == 0  # an older schema: the next start migrates it
    again = restore(old)
    assert again.returncode == 1 and "already holds a database" in again.stderr
    assert restore(old, "--force").returncode == 0


def test_backup_on_postgresql_says_to_use_pg_dump(tmp_path: Path) -> None:
    answer = appservices("admin", "backup", "--to", str(tmp_path / "x"),
                         database_url="postgresql://nobody@127.0.0.1:1/none", instance=tmp_path)
    assert answer.returncode == 1 and "back it up with pg_dump" in answer.stderr


@pytest.fixture
def postgres_server(postgres_url: str) -> str:
    """The URL of the suite's PostgreSQL server (any database on it)."""
    return postgres_url


@pytest.fixture
def databases(postgres_server: str, tmp_path: Path) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for url in made:
        drop_database(url)


@pytest.mark.postgres
def test_the_readme_pg_dump_recipe_restores_into_a_fresh_server(
        postgres_server: str, databases: list[str], tmp_path: Path) -> None:
    serving_url = new_database(postgres_server, "backup_source")
    databases.append(serving_url)
    dump = tmp_path / "appservices.dump"
    with LiveServer(tmp_path / "serving", database_url=serving_url, env=SECRET) as serving:
        admin, app, keys = seed(serving)
        with LoginsInTheBackground(serving.base_url, app["client_app_id"], keys[0]) as logins:
            logins.wait_for_more(5)
            # README "Backups", PostgreSQL: the dump, while the servers serve.
            subprocess.run([postgres_tool("pg_dump"), "--format=custom", f"--file={dump}",
                            serving_url], check=True, capture_output=True)
        assert set(logins.statuses) == {200}
        after = admin.new_server_key(app["_id"], "after-backup")["key"]

    # ... and the restore, into a new, empty database.
    restored_url = new_database(postgres_server, "backup_restored")
    databases.append(restored_url)
    subprocess.run([postgres_tool("pg_restore"), "--no-owner", "--exit-on-error",
                    f"--dbname={restored_url}", str(dump)], check=True, capture_output=True)
    with LiveServer(tmp_path / "fresh", database_url=restored_url, env=SECRET) as server:
        assert_restored(server, app, keys, after)
