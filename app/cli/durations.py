"""Reading the durations and times the key commands take: `--grace 1h`, `--expires 30d`.

The CLI turns them into what the Admin API takes (whole seconds, Unix seconds); the
server checks the ranges (a grace period of 0 to 7 days, an expiry in the future).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import click

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(?P<count>\d{1,9})(?P<unit>[smhdw]?)")


def seconds(text: str, option: str) -> int:
    """`90`, `90s`, `30m`, `1h`, `2d` or `1w` as whole seconds."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise click.BadParameter(
            f"'{text}' is not a duration: a number with s, m, h, d or w (90s, 30m, 1h, 7d)",
            param_hint=option)
    return int(match["count"]) * _UNITS[match["unit"] or "s"]


def unix_time(text: str, option: str) -> int:
    """A time as Unix seconds: a duration from now (`30d`), or an ISO-8601 date or time
    (`2027-01-31`, `2027-01-31T12:00:00Z`; UTC unless it says otherwise)."""
    if _DURATION.fullmatch(text.strip().lower()):
        return int(time.time()) + seconds(text, option)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is neither a duration from now (30d, 12h) nor an ISO-8601 time "
            "(2027-01-31, 2027-01-31T12:00:00Z)", param_hint=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
