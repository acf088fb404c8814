"""`appservices logs list`: an app's log entries (AUTH and API_KEY), newest first.

It reads the Admin API's `GET .../logs` and follows its pages (`nextEndDate` and
`nextSkip`, as the original's document says) until it has `--limit` entries or none are
left.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import click

from app.cli import durations, output
from app.cli.context import AdminContext
from app.cli.options import app_option, group_option, json_option, profile_option

TYPES = ("AUTH", "API_KEY")
PAGE_LIMIT = 100

LOG_COLUMNS: list[output.Column] = [
    ("STARTED", lambda entry: entry.get("started")),
    ("TYPE", lambda entry: entry.get("type")),
    ("EVENT", lambda entry: _event(entry)),
    ("STATUS", lambda entry: _status(entry)),
    ("USER", lambda entry: entry.get("user_id")),
    ("ADDRESS", lambda entry: entry.get("remote_ip_address")),
    ("SDK", lambda entry: " ".join(str(entry[name]) for name in ("sdk_name", "sdk_version")
                                   if entry.get(name))),
    ("CO_ID", lambda entry: entry.get("co_id")),
]


def _event(entry: Mapping[str, Any]) -> str:
    event = entry.get("auth_event")
    if isinstance(event, dict):
        return " ".join(str(part) for part in (event.get("type"), event.get("provider"))
                        if part)
    messages = entry.get("messages") or []
    return str(messages[0]) if messages else ""


def _status(entry: Mapping[str, Any]) -> str:
    code = entry.get("error_code")
    return f"{entry.get('status')} {code}" if code else str(entry.get("status"))


def _iso(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@click.group()
def logs() -> None:
    """Read an app's logs: logins, refreshes and logouts (AUTH), key changes (API_KEY).

    \b
    Examples:
      appservices logs list --app myapp
      appservices logs list --app myapp --type AUTH --errors --since 1h
      appservices logs list --app myapp --user 65f0c0ffee0000000000beef --json
    """


@logs.command("list")
@app_option
@click.option("--type", "entry_type", type=click.Choice(TYPES, case_sensitive=False),
              help="Only entries of this type.")
@click.option("--errors", is_flag=True, help="Only entries of failed requests.")
@click.option("--user", "user_id", metavar="USER_ID", help="Only entries about this user.")
@click.option("--since", metavar="WHEN",
              help="Only entries after this: a duration back from now (30m, 12h, 7d) or an "
                   "ISO-8601 time (2027-01-31T12:00:00Z; UTC unless it says otherwise).")
@click.option("--co-id", metavar="CO_ID",
              help="Only the entries of the request with this correlation id (an error's "
                   "link names it).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="At most this many entries (the newest).")
@group_option
@profile_option
@json_option
def list_logs(app_ref: str | None, entry_type: str | None, errors: bool,
              user_id: str | None, since: str | None, co_id: str | None, limit: int,
              group_id: str | None, profile: str, as_json: bool) -> None:
    """List an app's log entries, newest first.

    \b
    Examples:
      appservices logs list --app myapp
      appservices logs list --app myapp --type API_KEY
      appservices logs list --app myapp --errors --since 1h --json
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    params: dict[str, str] = {}
    if entry_type:
        params["type"] = entry_type.upper()
    if errors:
        params["errors_only"] = "true"
    if user_id:
        params["user_id"] = user_id
    if since:
        params["start_date"] = _iso(_since(since))
    if co_id:
        params["co_id"] = co_id
    entries: list[dict[str, Any]] = []
    page: dict[str, Any] = {}
    while len(entries) < limit:
        wanted = {**params, "limit": str(min(PAGE_LIMIT, limit - len(entries)))}
        if "nextEndDate" in page:
            wanted["end_date"] = page["nextEndDate"]
            if "nextSkip" in page:
                wanted["skip"] = str(page["nextSkip"])
        page = context.client.get(f"{app.path}/logs", params=wanted)
        entries.extend(page.get("logs", []))
        if "nextEndDate" not in page:
            break
    output.emit_rows(entries, LOG_COLUMNS, as_json=as_json,
                     empty=f"No log entries in app {app.label} match.")


def _since(text: str) -> int:
    """--since as Unix seconds: a duration counts back from now."""
    stripped = text.strip().lower()
    if stripped and stripped[0].isdigit() and not any(mark in stripped for mark in "-:"):
        return int(datetime.now(UTC).timestamp()) - durations.seconds(text, "--since")
    return durations.unix_time(text, "--since")
