"""The README's shell blocks run as a newcomer runs them: pasted in order into one shell,
and each on its own in a fresh shell, without an error.

Every ```bash block of README.md is run by bash with `-e -o pipefail` (so the first
command that fails fails the test), from the repository root, the way its text says: it
uses the repository's .venv (`scripts/serve` makes it when missing), a free port in PORT,
and a throw-away instance folder, profile folder and TMPDIR, so nothing here touches the
clone's ./instance or the user's ~/.config. A block that needs a server starts its own and
stops it: afterwards nothing may listen on the port. ```console blocks show a session
(`scripts/test` would run this very suite) and are not run.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.live_server import free_port

REPOSITORY = Path(__file__).resolve().parents[1]
README = REPOSITORY / "README.md"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
# The first run of scripts/serve installs .venv; later blocks take seconds each.
TIMEOUT_SECONDS = 600


def bash_blocks() -> list[str]:
    return BASH_BLOCK.findall(README.read_text())


def _environment(tmp_path: Path, port: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("APPSERVICES_", "DATABASE_URL", "SECRET_KEY", "PUBLIC_URL"))}
    for folder in ("instance", "profiles", "tmp"):
        (tmp_path / folder).mkdir()
    env.update({
        "PORT": str(port),
        "APPSERVICES_INSTANCE_PATH": str(tmp_path / "instance"),
        "APPSERVICES_CONFIG_DIR": str(tmp_path / "profiles"),
        "TMPDIR": str(tmp_path / "tmp"),
        # This checkout's code, even when .venv's editable install points at another one.
        "PYTHONPATH": str(REPOSITORY),
        # Quick to start and cheap on a shared machine; nothing the blocks show changes.
        "APPSERVICES_WORKERS": "1",
        "BCRYPT_ROUNDS": "4",
    })
    return env


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def run_in_one_shell(script: str, env: dict[str, str],
                     log: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh bash that stops at the first error; stop all it left.

    The output goes to a file, not a pipe: a server a failed block left running would hold
    a pipe open, and reading it to the end would wait for that server.
    """
    with log.open("w") as output:
        shell = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script],
                                 cwd=REPOSITORY, env=env, stdin=subprocess.DEVNULL,
                                 stdout=output, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        try:
            shell.wait(timeout=TIMEOUT_SECONDS)
        finally:
            # A block that failed half-way may have left its server: it must not outlive us.
            try:
                os.killpg(shell.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            shell.wait()
    return subprocess.CompletedProcess(shell.args, shell.returncode, log.read_text(), None)


# What the blocks print holds keys and tokens (of a throw-away server, but still secrets):
# a failure shows the output without them.
SECRET = re.compile(r"\b(?:eyJ[\w-]+\.[\w-]+\.[\w-]+|ask_\w+|asadm_\w+)")


def _assert_ran(result: subprocess.CompletedProcess[str], port: int, what: str) -> None:
    status, shown = result.returncode, SECRET.sub("<secret>", result.stdout)
    assert status == 0, f"{what} failed (exit {status}):\n{shown}"
    assert "Traceback" not in shown, f"{what} printed a traceback:\n{shown}"
    assert _port_is_free(port), f"{what} left a server listening on its port"


def test_the_readme_has_runnable_blocks_that_start_and_stop_their_own_server() -> None:
    blocks = bash_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        # curl -f hides the server's error body; the wait loop's probe alone may use it.
        assert "curl -fsS" not in block and "curl -f " not in block
        if "scripts/serve" in block:
            assert 'kill "$SERVER"; wait "$SERVER"' in block


def test_the_blocks_run_pasted_in_order_into_one_shell_and_again(tmp_path: Path) -> None:
    port = free_port()
    blocks = bash_blocks()
    # Then the first one again, on the same data: names must not collide on a re-run.
    script = "\n".join([*blocks, blocks[0]])
    result = run_in_one_shell(script, _environment(tmp_path, port), tmp_path / "output.log")
    _assert_ran(result, port, "the README's blocks in order")


@pytest.mark.parametrize("index", range(len(bash_blocks())))
def test_each_block_runs_on_its_own_in_a_fresh_shell(index: int, tmp_path: Path) -> None:
    port = free_port()
    result = run_in_one_shell(bash_blocks()[index], _environment(tmp_path, port),
                              tmp_path / "output.log")
    _assert_ran(result, port, f"README block {index + 1} alone")
