"""The npm package `jose` (a JWKS-verifying client nobody here wrote), installed once.

It goes into its own folder beside realm-web's cache, under a file lock, as realm-web does
(tests/support/realm_web.py).
"""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

from tests.support.realm_web import CACHE as REALM_WEB_CACHE

# 5.x: the last major line that also ships CommonJS, which NODE_PATH can resolve.
JOSE_SPEC = "jose@^5"
CACHE = REALM_WEB_CACHE.parent / "npm-jose"
VERIFY_SCRIPT = Path(__file__).resolve().parent.parent / "interop" / "jose_verify.js"


def ensure_jose() -> Path:
    """Return the node_modules folder holding jose, installing it on first use."""
    modules = CACHE / "node_modules"
    marker = modules / "jose" / "package.json"
    if marker.exists():
        return modules
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run(
                ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
                 "--loglevel=error", JOSE_SPEC],
                check=True, timeout=300, stdout=subprocess.DEVNULL,
            )
    return modules
