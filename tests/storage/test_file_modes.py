"""Secrets at rest on disk (issue 18, item 6): the SQLite database and the files SQLite
keeps beside it, the instance folder and the signing key are the owner's alone, even under
the usual umask of 022, and a database an older release left readable by everyone is
tightened when the service starts."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import storage
from tests.support.app import make_app
from tests.support.store import in_database

SQLITE_SIDE_FILES = ("-wal", "-shm")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems give a service: new files 0644, new folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)
    storage.close_all()


def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "appservices.db"

    app = make_app(f"sqlite:///{path}", tmp_path / "instance")

    with in_database(app):
        # A write opens the write-ahead log (-wal) and shared memory (-shm) files; SQLite
        # removes them when the last connection closes, so look while this one is open.
        storage.database.execute_sql("CREATE TABLE probe (x INTEGER)")
        storage.database.execute_sql("INSERT INTO probe VALUES (1)")
        sides = [Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES]
        assert all(side.exists() for side in sides), "no -wal/-shm: the test shows nothing"
        assert {side.name: mode_of(side) for side in sides} == {
            side.name: 0o600 for side in sides}
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700  # the folder made for it


def test_a_database_an_older_release_left_readable_by_everyone_is_tightened_at_start_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "appservices.db"
    connection = sqlite3.connect(path)  # as SQLite makes it under umask 022: 0644
    connection.execute("PRAGMA journal_mode=wal")
    connection.execute("CREATE TABLE leftover (x INTEGER)")
    connection.execute("INSERT INTO leftover VALUES (1)")
    connection.commit()  # kept open: its -wal and -shm files stay on disk
    files = [path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)]
    for file in files:  # -wal and -shm exist while the connection is open
        os.chmod(file, 0o644)

    app = make_app(f"sqlite:///{path}", tmp_path / "instance")
    connection.close()

    assert {file.name: mode_of(file) for file in files if file.exists()} == {
        file.name: 0o600 for file in files if file.exists()}
    assert mode_of(path) == 0o600
    with in_database(app):  # and nothing in it was lost
        assert storage.database.execute_sql("SELECT x FROM leftover").fetchall() == [(1,)]


def test_a_tightened_mode_keeps_no_bit_for_group_or_others_but_keeps_the_owners(
    tmp_path: Path,
) -> None:
    path = tmp_path / "appservices.db"
    path.touch()
    os.chmod(path, 0o664)

    make_app(f"sqlite:///{path}", tmp_path / "instance")

    assert mode_of(path) == 0o600


def test_the_instance_folder_and_the_generated_signing_key_are_the_owners_alone(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"

    make_app(f"sqlite:///{tmp_path / 'appservices.db'}", instance, SECRET_KEY="")

    assert mode_of(instance) == 0o700
    assert mode_of(instance / "secret_key") == 0o600
