"""What the commands print: aligned tables for people, JSON (`--json`) for scripts.

Data goes to stdout; prompts, warnings and progress go to stderr, so that
`appservices ... --json | jq` always reads clean JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import click

Column = tuple[str, Callable[[Mapping[str, Any]], object]]


def emit_json(data: object) -> None:
    """Print `data` as indented JSON."""
    click.echo(json.dumps(data, indent=2))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """Render `rows` as a left-aligned table with a header line."""
    cells = [[header for header, _ in columns]]
    cells += [[_text(value(row)) for _, value in columns] for row in rows]
    widths = [max(len(line[index]) for line in cells) for index in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def emit_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *,
              as_json: bool, empty: str) -> None:
    """Print `rows` as JSON, or as a table (or the `empty` sentence when there are none)."""
    if as_json:
        emit_json(list(rows))
    elif rows:
        click.echo(table(rows, columns))
    else:
        click.echo(empty, err=True)


def note(message: str) -> None:
    """Tell the person something that is not the command's data (on stderr)."""
    click.echo(message, err=True)


def status(disabled: object) -> str:
    return "disabled" if disabled else "enabled"


def timestamp(unix_seconds: object) -> str:
    """Unix seconds as `2024-05-01 12:00:00Z`, or `-` for 0 (never)."""
    if not isinstance(unix_seconds, int | float) or not unix_seconds:
        return "-"
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _text(value: object) -> str:
    if value is None or value == "":
        return "-"
    return str(value)
