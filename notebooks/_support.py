"""What every notebook needs: a server to talk to, and a readable way to print answers.

`connect()` starts an embedded `appservices serve` (gunicorn on a free port, SQLite in a
temporary folder, the test clock switched on, an admin key pair from the environment) and
stops it when the kernel exits. With APPSERVICES_BASE_URL set it talks to that deployment
instead and logs in with APPSERVICES_ADMIN_PUBLIC_KEY / APPSERVICES_ADMIN_PRIVATE_KEY.

Notebooks run with their own folder as the working directory, so `from _support import
...` finds this file; it puts the repository root on `sys.path` itself to reuse the test
suite's Admin API client, its realm-web installer and its way of starting Debian's
Chromium.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import requests

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from tests.support import chromium  # noqa: E402
from tests.support.admin_api import AdminApi  # noqa: E402
from tests.support.http import Live, bearer  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.realm_web import FLOW_SCRIPT, ensure_realm_web  # noqa: E402

__all__ = ["FLOW_SCRIPT", "Server", "bearer", "chromium_launch_options", "connect",
           "ensure_realm_web", "log_in_admin", "show"]

ADMIN_PUBLIC_KEY = "notebook-admin"
ADMIN_PRIVATE_KEY = "notebook-admin-private-key-0123456789"
FOLDER_PREFIX = "appservices-notebook-"
STARTUP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Server:
    """A deployment of appservices-auth and the admin key pair that manages it."""

    base_url: str
    admin_public_key: str
    admin_private_key: str

    @property
    def admin_api(self) -> str:
        return f"{self.base_url}/api/admin/v3.0"

    @property
    def client_api(self) -> str:
        return f"{self.base_url}/api/client/v2.0"


_server: Server | None = None


def connect() -> Server:
    """Return the deployment the notebook talks to, starting the embedded one if needed."""
    global _server
    if _server is None:
        external = os.environ.get("APPSERVICES_BASE_URL", "").rstrip("/")
        if external:
            _server = Server(external, os.environ.get("APPSERVICES_ADMIN_PUBLIC_KEY", ""),
                             os.environ.get("APPSERVICES_ADMIN_PRIVATE_KEY", ""))
        else:
            _server = _start_embedded()
    print(f"Server ready at {_server.base_url}")
    return _server


def _remove_orphaned_folders(parent: Path) -> None:
    """Delete the folders of embedded servers whose kernel is gone.

    nbval kills its kernels outright (SIGKILL to the kernel's process group): the server
    dies with them, but nothing is left to delete its folder. The next start does it.
    """
    for folder in parent.glob(FOLDER_PREFIX + "*"):
        try:
            os.kill(int((folder / "kernel.pid").read_text()), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue  # not ours, or still being set up, or alive under another user


def _start_embedded() -> Server:
    # APPSERVICES_NOTEBOOK_TMPDIR lets the test run keep every server folder in its tmp_path.
    parent = Path(os.environ.get("APPSERVICES_NOTEBOOK_TMPDIR") or tempfile.gettempdir())
    _remove_orphaned_folders(parent)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=parent))
    (folder / "kernel.pid").write_text(str(os.getpid()))
    port = free_port()
    command = shutil.which("appservices", path=str(Path(sys.executable).parent))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'appservices.db'}",
        "APPSERVICES_INSTANCE_PATH": str(folder / "instance"),
        "APPSERVICES_ADMIN_PUBLIC_KEY": ADMIN_PUBLIC_KEY,
        "APPSERVICES_ADMIN_PRIVATE_KEY": ADMIN_PRIVATE_KEY,
        "APPSERVICES_TEST_CLOCK": "1",
        "BCRYPT_ROUNDS": "4",  # a throw-away server: fast password hashing
        "ADMIN_KEY_SCRYPT_LOG_N": "4",  # and fast admin private key checks
    }
    with (folder / "server.log").open("ab") as log:
        # The server stays in the kernel's process group, so a kernel that is killed takes
        # it along.
        process = subprocess.Popen(
            [command or sys.executable, *([] if command else ["-m", "app.cli"]), "serve",
             "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    # Reap the server as soon as it exits: on shutdown ipykernel signals its children until
    # none is left, and an unreaped (zombie) server would keep it waiting until killed.
    threading.Thread(target=process.wait, daemon=True).start()

    def stop() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    base_url = f"http://127.0.0.1:{port}"
    _wait_until_healthy(base_url, process, folder / "server.log")
    return Server(base_url, ADMIN_PUBLIC_KEY, ADMIN_PRIVATE_KEY)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited at start-up:\n{log.read_text()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)  # polling a start-up
    raise RuntimeError(f"the server did not become healthy:\n{log.read_text()}")


def chromium_launch_options() -> dict[str, Any]:
    """How a notebook starts Debian's Chromium with Playwright, as the tests do
    (tests/support/chromium.py: APPSERVICES_CHROMIUM or /usr/bin/chromium, headless)."""
    problem = chromium.missing_chromium()
    if problem is not None:
        raise RuntimeError(problem)
    return chromium.launch_options()


def pick(body: Any, fields: tuple[str, ...]) -> Any:
    """Keep only `fields` of a JSON object, or of each object of a list."""
    if not fields:
        return body
    if isinstance(body, list):
        return [pick(item, fields) for item in body]
    if isinstance(body, dict):
        return {name: body[name] for name in fields if name in body}
    return body


def show(response: requests.Response, *fields: str) -> None:
    """Print the status and the JSON body (only `fields` of it, if named).

    The status phrase is the standard one, not the server's: proxies and HTTP/2 change
    or drop the reason phrase, and the notebooks must read the same against any deployment.
    """
    print(response.status_code, HTTPStatus(response.status_code).phrase)
    if response.content:
        print(json.dumps(pick(response.json(), fields), indent=2, sort_keys=True))


def log_in_admin(server: Server) -> AdminApi[requests.Response]:
    """The admin of `server`, logged in: the test suite's Admin API client
    (tests/support/admin_api.py), with the set-up steps the notebooks share.

    Notebook 01 makes each of these calls by hand; the other notebooks use this client so
    that their cells show only the behaviour they are about. `admin.group(method, path,
    body)` sends a request under /groups/{group_id} and returns the `requests` response.
    """
    return AdminApi(Live(server.base_url), server.admin_public_key,
                    server.admin_private_key).log_in()
