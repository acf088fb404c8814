"""`appservices serve` and the metrics: it gives its workers a folder to share them in (a
new one of its own, removed when it stops, unless the operator named one: kept as it is),
and warns when other machines could read them without a token."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli.serve import METRICS_DIR_VARIABLE, metrics_directory, metrics_warning


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


EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (what is checked, never bound)


@pytest.mark.parametrize(("host", "enabled", "token", "warned"), [
    (EVERY_INTERFACE, True, "", True),
    ("auth.example.com", True, "", True),
    (EVERY_INTERFACE, True, "a-token", False),
    (EVERY_INTERFACE, False, "", False),
    ("127.0.0.1", True, "", False),
    ("localhost", True, "", False),
])
def test_serve_warns_when_other_machines_can_read_the_metrics_without_a_token(
    host: str, enabled: bool, token: str, warned: bool
) -> None:
    warning = metrics_warning(host, enabled, token)

    assert (warning is not None) == warned
    if warning:
        assert "METRICS_TOKEN" in warning and host in warning
