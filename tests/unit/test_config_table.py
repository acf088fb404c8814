"""The Configuration table in docs/configuration.md is the settings' own declarations
(app/config.py), and the README sends readers to it."""

from __future__ import annotations

from pathlib import Path

from app.config import configuration_table

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIGURATION = REPOSITORY / "docs" / "configuration.md"


def test_the_configuration_page_lists_every_setting_as_declared() -> None:
    assert configuration_table() in CONFIGURATION.read_text(), (
        "docs/configuration.md's table differs from app/config.py: paste "
        "`python -c 'from app.config import configuration_table as t; print(t())'`"
    )


def test_the_readme_links_the_whole_configuration_table() -> None:
    assert "](docs/configuration.md)" in (REPOSITORY / "README.md").read_text()
