"""The real realm-web SDK (npm `realm-web` 2.x), installed once into a cache folder.

Both the interoperability test and notebook 05 drive it (installed by tests/support/npm.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.npm import ensure_package

REALM_WEB_SPEC = "realm-web@^2"
CACHE = Path(os.environ.get("APPSERVICES_NPM_CACHE",
                            Path.home() / ".cache" / "appservices-auth" / "npm"))
FLOW_SCRIPT = Path(__file__).resolve().parent.parent / "interop" / "realm_web_flow.js"


def node_available() -> bool:
    """Tell whether Node.js and npm are on PATH."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_realm_web() -> Path:
    """Return the node_modules folder holding realm-web, installing it on first use."""
    return ensure_package(CACHE, "realm-web", REALM_WEB_SPEC)
