"""The README's Configuration table is the settings' own declarations (app/config.py)."""

from __future__ import annotations

from pathlib import Path

from app.config import configuration_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_as_declared() -> None:
    assert configuration_table() in README.read_text(), (
        "README.md's Configuration table differs from app/config.py: paste "
        "`python -c 'from app.config import configuration_table as t; print(t())'`"
    )
