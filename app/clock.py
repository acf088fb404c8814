"""The one source of "now".

Nothing else in the service reads the system clock. Tests and notebooks move this
clock to show behaviour that depends on time (keys never expire, access tokens do
after 30 minutes) without waiting.

In-process tests move it with `advance`. A live server started with
APPSERVICES_TEST_CLOCK=1 shares one offset among all its worker processes through a
small file, which the test-only endpoint `/_testing/clock` writes; production servers
never read that file.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

_lock = threading.Lock()
_offset = timedelta(0)
_shared_offset_file: Path | None = None


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC, shifted by any test offset."""
    return datetime.now(UTC) + offset()


def timestamp() -> int:
    """Return the current time as whole Unix seconds."""
    return int(now().timestamp())


def offset() -> timedelta:
    """Return how far the clock has been moved from real time."""
    if _shared_offset_file is not None:
        try:
            return timedelta(seconds=float(_shared_offset_file.read_text() or 0))
        except (FileNotFoundError, ValueError):
            return timedelta(0)
    return _offset


def set_offset(delta: timedelta) -> None:
    """Put the clock at real time plus `delta`."""
    global _offset
    with _lock:
        if _shared_offset_file is not None:
            temporary = _shared_offset_file.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(str(delta.total_seconds()))
            temporary.replace(_shared_offset_file)  # atomic: readers never see half a number
        else:
            _offset = delta


def advance(delta: timedelta) -> None:
    """Move the clock forward (or back, with a negative delta)."""
    set_offset(offset() + delta)


def reset() -> None:
    """Return the clock to real time."""
    set_offset(timedelta(0))


def share_offset_through(path: Path | None) -> None:
    """Keep the offset in `path`, so that every process of a test server sees one clock."""
    global _shared_offset_file
    _shared_offset_file = path
