"""The one source of "now".

Nothing else in the service reads the system clock. Tests and notebooks move this
clock to show behaviour that depends on time (keys never expire, access tokens
do after 30 minutes) without waiting.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC, shifted by any test offset."""
    return datetime.now(UTC) + _offset


def timestamp() -> int:
    """Return the current time as whole Unix seconds."""
    return int(now().timestamp())


def advance(delta: timedelta) -> None:
    """Move the clock forward (or back, with a negative delta)."""
    global _offset
    with _lock:
        _offset += delta


def offset() -> timedelta:
    """Return how far the clock has been moved from real time."""
    return _offset


def set_offset(delta: timedelta) -> None:
    """Put the clock at real time plus `delta`."""
    global _offset
    with _lock:
        _offset = delta


def reset() -> None:
    """Return the clock to real time."""
    set_offset(timedelta(0))
