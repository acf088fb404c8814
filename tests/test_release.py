"""The release: one version, shown everywhere, with its CHANGELOG section.

The version is declared once, in app/__init__.py; pyproject.toml reads it from there,
and `appservices --version`, `GET /` and `/healthz` show it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient

from app import __version__
from app.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_declared_once_and_has_a_changelog_section() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    sections = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    # Work in flight on top, then the releases, newest first; this one among them.
    assert sections[0] == "Unreleased" and sections[1] == __version__
    assert sections[-1] == "0.1.0"


def test_appservices_version_prints_it() -> None:
    result = CliRunner().invoke(main, ["--version"], prog_name="appservices")
    assert result.exit_code == 0
    assert result.output == f"appservices, version {__version__}\n"


def test_the_service_reports_it(client: FlaskClient) -> None:
    assert client.get("/", headers={"Accept": "application/json"}).json["version"] == __version__
    assert client.get("/healthz").json["version"] == __version__
    assert client.get("/healthz/live").json == {"status": "ok", "version": __version__}
