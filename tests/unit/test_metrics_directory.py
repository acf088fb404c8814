"""`appservices serve` gives its workers a folder to share their metrics in: a new one of
its own, removed when it stops, unless the operator named one (kept as it is)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli.serve import METRICS_DIR_VARIABLE, metrics_directory


def test_without_one_configured_the_server_makes_an_empty_folder_and_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(METRICS_DIR_VARIABLE, raising=False)

    with metrics_directory() as folder:
        made = Path(folder)
        assert os.environ[METRICS_DIR_VARIABLE] == folder
        assert made.is_dir() and list(made.iterdir()) == []
        assert made.stat().st_mode & 0o077 == 0  # the owner's alone
        (made / "counter_123.db").write_bytes(b"\0")

    assert not made.exists()
    assert METRICS_DIR_VARIABLE not in os.environ


def test_the_operators_folder_is_used_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = tmp_path / "metrics"
    monkeypatch.setenv(METRICS_DIR_VARIABLE, str(configured))

    with metrics_directory() as folder:
        assert folder == str(configured) and configured.is_dir()
        (configured / "counter_123.db").write_bytes(b"\0")

    assert (configured / "counter_123.db").exists()
    assert os.environ[METRICS_DIR_VARIABLE] == str(configured)
