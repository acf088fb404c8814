"""The npm package `jose` (a JWKS-verifying client nobody here wrote), installed once.

It goes into its own folder beside realm-web's cache (tests/support/npm.py installs both).
"""

from __future__ import annotations

from pathlib import Path

from tests.support.npm import ensure_package
from tests.support.realm_web import CACHE as REALM_WEB_CACHE

# 5.x: the last major line that also ships CommonJS, which NODE_PATH can resolve.
JOSE_SPEC = "jose@^5"
CACHE = REALM_WEB_CACHE.parent / "npm-jose"
VERIFY_SCRIPT = Path(__file__).resolve().parent.parent / "interop" / "jose_verify.js"


def ensure_jose() -> Path:
    """Return the node_modules folder holding jose, installing it on first use."""
    return ensure_package(CACHE, "jose", JOSE_SPEC)
