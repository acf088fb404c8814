"""The notebooks are tests: each runs under nbval in strict mode, its stored outputs compared.

Each notebook runs in its own pytest subprocess (nbval is a pytest plugin with its own
kernel handling; keeping it out of this process keeps its options and warnings out of the
suite's), so under pytest-xdist the notebooks run in parallel. A notebook starts its own
embedded server unless APPSERVICES_BASE_URL names a deployment. 05_sdk needs Node.js and
07_admin_console Debian's Chromium: without them those are skipped, except in CI (CI=true),
where they fail.

To refresh a notebook's stored outputs after a deliberate change:
    cd notebooks && ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace \
        --ExecutePreprocessor.record_timing=False NAME.ipynb
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.chromium import require_chromium
from tests.support.realm_web import node_available

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("*.ipynb"))
SANITIZE = REPOSITORY / "notebooks" / "sanitize.cfg"
NEEDS_NODE = {"05_sdk"}
NEEDS_CHROMIUM = {"07_admin_console"}


def test_there_are_notebooks() -> None:
    """Guards the parametrisation below: an empty glob would pass by running nothing."""
    assert [notebook.stem for notebook in NOTEBOOKS][:8] == [
        "01_server_api_keys", "02_user_api_keys", "03_key_lifetime", "04_user_objects",
        "05_sdk", "06_command_line", "07_admin_console",
        "08_pending_users_and_session_lifetime",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_gives_its_stored_outputs(notebook: Path, tmp_path: Path) -> None:
    if notebook.stem in NEEDS_NODE and not node_available():
        message = f"Node.js and npm are needed to run {notebook.name}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: a missing Node.js is a failure)")
        pytest.skip(message)
    if notebook.stem in NEEDS_CHROMIUM:
        require_chromium()
    # The outer run's pytest and xdist variables must not leak into the inner run.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTEST_")}
    env["APPSERVICES_NOTEBOOK_TMPDIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(notebook.relative_to(REPOSITORY)),
         "--nbval-sanitize-with", str(SANITIZE.relative_to(REPOSITORY)),
         "--nbval-current-env", "--nbval-cell-timeout=300", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-q", "--color=no"],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{notebook.name} no longer gives its stored outputs (nbval exit code "
                    f"{result.returncode}):\n{result.stdout}\n{result.stderr}", pytrace=False)
