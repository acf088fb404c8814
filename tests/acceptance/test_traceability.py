"""Every statement of the seed page is shown by a scenario or a notebook, or listed as pending.

Reads the statement ids from docs/behaviours.md, the
@S tags of every scenario in features/, the ids each existing notebook in notebooks/
names in its markdown cells ("Statements shown: S1, S3"), and the table under
"## Traceability" in docs/contributing.md (columns `id | scenarios | notebook | status`). A
status starting with "pending" says the part is not built yet.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from gherkin.parser import Parser

REPOSITORY = Path(__file__).resolve().parents[2]
STATEMENTS = REPOSITORY / "docs" / "behaviours.md"
FEATURES = REPOSITORY / "features"
NOTEBOOKS = REPOSITORY / "notebooks"
TABLE = REPOSITORY / "docs" / "contributing.md"
HEADING = "## Traceability"
COLUMNS = ["id", "scenarios", "notebook", "status"]

STATEMENT_ID = re.compile(r"\bS\d{1,2}\b")
STATEMENT_ROW = re.compile(r"^\|\s*(S\d{1,2})\s*\|")
STATEMENT_TAG = re.compile(r"^@(S\d{1,2})$")


def statement_ids() -> list[str]:
    """The ids of docs/behaviours.md, in its order; a missing file fails the test."""
    if not STATEMENTS.is_file():
        pytest.fail(f"{STATEMENTS} is missing: traceability cannot be checked without the "
                    "list of behaviours", pytrace=False)
    ids = [match.group(1) for line in STATEMENTS.read_text().splitlines()
           if (match := STATEMENT_ROW.match(line))]
    assert ids, f"{STATEMENTS} lists no statement ids (rows like '| S1 | ... |')"
    return ids


def _scenarios_of(children: list[Any], inherited: list[str]) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for child in children:
        if "rule" in child:
            rule = child["rule"]
            found += _scenarios_of(rule["children"],
                                   inherited + [tag["name"] for tag in rule["tags"]])
        elif "scenario" in child:
            scenario = child["scenario"]
            tags = inherited + [tag["name"] for tag in scenario["tags"]]
            for examples in scenario["examples"]:
                tags += [tag["name"] for tag in examples["tags"]]
            found.append((scenario["name"], tags))
    return found


def scenarios_by_id() -> dict[str, list[str]]:
    """Statement id -> "feature file: scenario name" of every scenario tagged with it."""
    shown: dict[str, list[str]] = defaultdict(list)
    for path in sorted(FEATURES.glob("*.feature")):
        document: Any = Parser().parse(path.read_text())
        feature = document["feature"]
        feature_tags = [tag["name"] for tag in feature["tags"]]
        for name, tags in _scenarios_of(feature["children"], feature_tags):
            for tag in tags:
                if match := STATEMENT_TAG.match(tag):
                    shown[match.group(1)].append(f"{path.name}: {name}")
    return shown


def notebooks_by_id() -> dict[str, list[str]]:
    """Statement id -> the existing notebooks whose markdown cells name it."""
    shown: dict[str, list[str]] = defaultdict(list)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            for statement in set(STATEMENT_ID.findall(text)):
                if path.name not in shown[statement]:
                    shown[statement].append(path.name)
    return shown


def readme_rows() -> dict[str, dict[str, str]]:
    """The traceability table (docs/contributing.md): id -> {column: cell}."""
    lines = TABLE.read_text().splitlines()
    if HEADING not in lines:
        pytest.fail(f"docs/contributing.md has no '{HEADING}' section", pytrace=False)
    section: list[str] = []
    for line in lines[lines.index(HEADING) + 1:]:
        if line.startswith("#") and not line.startswith("###"):
            break
        section.append(line)
    table = [line.strip() for line in section if line.strip().startswith("|")]
    assert len(table) > 2, f"the '{HEADING}' section of docs/contributing.md has no table"
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header == COLUMNS, f"the traceability table has columns {header}, not {COLUMNS}"
    rows: dict[str, dict[str, str]] = {}
    for line in table[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(COLUMNS, cells, strict=False))
    return rows


def _is_pending(row: dict[str, str] | None) -> bool:
    return row is not None and row.get("status", "").lower().startswith("pending")


def test_readme_lists_every_statement_and_no_other() -> None:
    ids = statement_ids()
    rows = readme_rows()
    missing = [statement for statement in ids if statement not in rows]
    unknown = [statement for statement in rows if statement not in ids]
    assert not missing, f"the traceability table lacks {', '.join(missing)}"
    assert not unknown, (f"the traceability table lists {', '.join(unknown)}, "
                         f"which {STATEMENTS.name} does not have")


def test_every_statement_has_a_scenario_or_a_notebook_or_is_pending() -> None:
    scenarios, notebooks, rows = scenarios_by_id(), notebooks_by_id(), readme_rows()
    untraced = [statement for statement in statement_ids()
                if not scenarios[statement] and not notebooks[statement]
                and not _is_pending(rows.get(statement))]
    assert not untraced, (
        f"no scenario (an @{untraced[0]} tag in features/) and no notebook (a markdown cell "
        f"naming it in notebooks/) shows {', '.join(untraced)}, and docs/contributing.md "
        f"does not list {'it' if len(untraced) == 1 else 'them'} as pending"
    )


def test_no_statement_listed_as_pending_is_shown_already() -> None:
    scenarios, notebooks, rows = scenarios_by_id(), notebooks_by_id(), readme_rows()
    stale = [statement for statement in statement_ids() if _is_pending(rows.get(statement))
             and (scenarios[statement] or notebooks[statement])]
    assert not stale, (f"docs/contributing.md lists {', '.join(stale)} as pending, but "
                       "scenarios or notebooks show them: update the traceability table")


def test_scenarios_name_only_real_statements() -> None:
    ids = set(statement_ids())
    unknown = sorted(set(scenarios_by_id()) - ids)
    assert not unknown, (f"scenarios are tagged {', '.join('@' + s for s in unknown)}, which "
                         f"{STATEMENTS.name} does not have")
