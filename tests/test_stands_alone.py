"""A clone of the repository is all a user has: nothing in it may read or link a folder
beside it (the team keeps its working notes there; users' clones do not have them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
OUTSIDE = "../" + "shared"  # spelt so that this file does not name it itself


def _project_files() -> list[str]:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPOSITORY, check=True,
                                capture_output=True).stdout.decode().split("\0")
        return [name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):  # an unpacked archive: no git
        return [str(path.relative_to(REPOSITORY)) for path in REPOSITORY.rglob("*")
                if not any(part.startswith(".") or part in {"node_modules", "instance"}
                           for part in path.relative_to(REPOSITORY).parts)]


def test_no_tracked_file_reads_or_links_outside_the_repository() -> None:
    offenders = []
    for name in _project_files():
        path = REPOSITORY / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # images and other binaries
            continue
        if OUTSIDE in text:
            offenders.append(name)
    assert not offenders, f"these files reach outside the repository: {offenders}"
