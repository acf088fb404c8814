"""Debian's Chromium, as the browser tests, the console scenarios and the console notebook
drive it through Playwright: where it is, how it is started, and what a missing one means.

Chromium is Debian's (`/usr/bin/chromium`, or APPSERVICES_CHROMIUM); Playwright's own
browser downloads (`playwright install`) are never used. Without it the tests that need
it are skipped, except in CI (CI=true), where `.ci/run` installs it first and a missing
browser is a failure.

Playwright's sync API allows one running instance per thread, so the tests share one
browser per session (per xdist worker): the `chromium_browser` fixture of
tests/conftest.py, built on `launch_options()` here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("APPSERVICES_CHROMIUM") or "/usr/bin/chromium")
# No sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# How long a Playwright action or expectation waits before it fails.
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    """Whether this run is CI's (CI=true), where a missing browser is a failure."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_chromium() -> str | None:
    """Why Chromium cannot be used here, or None when it can."""
    if CHROMIUM.exists():
        return None
    return (f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium) or "
            "set APPSERVICES_CHROMIUM; .ci/run installs it")


def require_chromium() -> None:
    """Skip the running test when Chromium is missing; fail it instead in CI."""
    import pytest  # only the tests call this; the notebooks import this module too

    message = missing_chromium()
    if message is None:
        return
    if in_ci():
        pytest.fail(message + " (CI=true: a missing browser is a failure)", pytrace=False)
    pytest.skip(message)


def launch_options() -> dict[str, Any]:
    """The arguments of `playwright.chromium.launch(...)`, sync and async API alike."""
    return {"executable_path": str(CHROMIUM), "headless": True, "args": list(CHROMIUM_ARGS)}
