"""The real realm-web SDK (npm `realm-web` 2.x), installed once into a cache folder.

Both the interoperability test and notebook 05 drive it; they may run at the same time
under pytest-xdist, so the first install happens under a file lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

REALM_WEB_SPEC = "realm-web@^2"
CACHE = Path(os.environ.get("APPSERVICES_NPM_CACHE",
                            Path.home() / ".cache" / "appservices-auth" / "npm"))
FLOW_SCRIPT = Path(__file__).resolve().parent.parent / "interop" / "realm_web_flow.js"


def node_available() -> bool:
    """Tell whether Node.js and npm are on PATH."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_realm_web() -> Path:
    """Return the node_modules folder holding realm-web, installing it on first use."""
    modules = CACHE / "node_modules"
    marker = modules / "realm-web" / "package.json"
    if marker.exists():
        return modules
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second installer waits, then finds it done
        if not marker.exists():
            subprocess.run(
                ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
                 "--loglevel=error", REALM_WEB_SPEC],
                check=True, timeout=300, stdout=subprocess.DEVNULL,
            )
    return modules
