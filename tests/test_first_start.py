"""The first start's admin key pair (issue 18, item 6): shown on stderr only to a person at
a terminal; otherwise written to a file only the owner can read, with one log line saying
where, so that the secret never reaches a log that is shipped and kept."""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.factory import bootstrap_admin
from app.models import AdminKey
from tests.support.http import ADMIN_LOGIN as LOGIN
from tests.support.store import in_database

PUBLIC_KEY_LINE = re.compile(r"Public key:\s+(\S+)")
PRIVATE_KEY_LINE = re.compile(r"Private key:\s+(\S+)")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def first_start(app: Flask, tmp_path: Path) -> Flask:
    app.config["BOOTSTRAP_ADMIN"] = True
    app.instance_path = str(tmp_path / "instance")
    return app


def _pair_in(text: str) -> tuple[str, str]:
    public, private = PUBLIC_KEY_LINE.search(text), PRIVATE_KEY_LINE.search(text)
    assert public and private, text
    return public.group(1), private.group(1)


def _logs_in(client: FlaskClient, public_key: str, private_key: str) -> bool:
    response = client.post(LOGIN, json={"username": public_key, "apiKey": private_key})
    return response.status_code == 200


def test_without_a_terminal_the_pair_goes_to_an_owner_only_file_and_the_log_says_where(
    first_start: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stderr = Pipe()
    monkeypatch.setattr(sys, "stderr", stderr)

    with caplog.at_level(logging.INFO):
        bootstrap_admin(first_start)

    written = Path(first_start.instance_path) / "first-admin-key.txt"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    public_key, private_key = _pair_in(written.read_text())
    assert _logs_in(client, public_key, private_key)
    assert private_key not in stderr.getvalue()
    assert private_key not in caplog.text
    mentions = [record.getMessage() for record in caplog.records
                if str(written) in record.getMessage()]
    assert len(mentions) == 1 and "FIRST START" in mentions[0]


def test_at_a_terminal_the_pair_is_shown_on_stderr_and_no_file_is_written(
    first_start: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with caplog.at_level(logging.DEBUG):
        bootstrap_admin(first_start)

    assert "FIRST START" in terminal.getvalue()
    public_key, private_key = _pair_in(terminal.getvalue())
    assert _logs_in(client, public_key, private_key)
    assert private_key not in caplog.text
    assert not (Path(first_start.instance_path) / "first-admin-key.txt").exists()


def test_a_file_left_by_an_earlier_first_start_is_never_overwritten(
    first_start: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stderr", Pipe())
    earlier = Path(first_start.instance_path) / "first-admin-key.txt"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("a pair of another database\n")

    bootstrap_admin(first_start)

    assert earlier.read_text() == "a pair of another database\n"
    [written] = [path for path in earlier.parent.iterdir() if path != earlier]
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    public_key, private_key = _pair_in(written.read_text())
    assert written.name == f"first-admin-key-{public_key}.txt"
    assert _logs_in(client, public_key, private_key)


def test_when_the_file_cannot_be_written_no_secret_is_shown_and_no_unusable_pair_is_kept(
    first_start: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stderr = Pipe()
    monkeypatch.setattr(sys, "stderr", stderr)
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("")
    first_start.instance_path = str(not_a_folder)

    with caplog.at_level(logging.INFO):
        bootstrap_admin(first_start)

    assert "Private key" not in stderr.getvalue() + caplog.text
    assert "appservices admin create-key" in caplog.text
    with in_database(first_start):
        assert AdminKey.select().count() == 0  # so the next start makes one again


def test_a_second_start_makes_no_pair_and_writes_nothing(
    first_start: Flask, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stderr", Pipe())
    bootstrap_admin(first_start)
    written = Path(first_start.instance_path) / "first-admin-key.txt"
    written.unlink()  # the operator kept it elsewhere and deleted it, as the log asks

    bootstrap_admin(first_start)

    assert not written.exists()
    with in_database(first_start):
        assert AdminKey.select().count() == 1
