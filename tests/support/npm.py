"""npm packages the tests drive (realm-web, jose), each installed once into a cache folder.

Several pytest-xdist workers may want one at the same time, so the first install happens
under a file lock; a second installer waits, then finds it done.
"""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path


def ensure_package(folder: Path, name: str, spec: str) -> Path:
    """Return the node_modules folder in `folder` holding `name`, installing `spec` first
    when it is not there yet."""
    modules = folder / "node_modules"
    marker = modules / name / "package.json"
    if marker.exists():
        return modules
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run(
                ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                 "--loglevel=error", spec],
                check=True, timeout=300, stdout=subprocess.DEVNULL,
            )
    return modules
