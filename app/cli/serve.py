"""`appservices serve`: run the service under granian on this machine's configuration.

Why granian (bench/servers.py measures it beside gunicorn; the README has the figures): it
keeps client connections alive, as the SDKs and browsers expect, and its HTTP handling is
native code, so the service's trivial endpoint answers several times faster than under
gunicorn's sync workers, which close every connection after one answer. Each worker runs
one request at a time on one thread, as gunicorn's sync workers did: the service is CPU
bound, and more threads would only queue behind the GIL.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

# A stopping server lets requests in flight finish for this long, then ends its workers.
GRACEFUL_STOP_SECONDS = 10


def _default_workers() -> int:
    return os.cpu_count() or 1


def _granian_level(levels: Any, level: str) -> Any:
    try:
        return levels(level.lower())
    except ValueError:  # a level granian does not name: its default
        return levels.info


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: other machines may reach it
        return False


def exposure_warning(host: str, public_url: str, allowed_hosts: str) -> str | None:
    """A warning when other machines can reach the server but it does not know its URL.

    Without PUBLIC_URL the Client API's location answers only requests whose Host is
    in ALLOWED_HOSTS (this machine's own names by default): SDKs elsewhere would be
    refused until the operator says how clients reach the server.
    """
    if public_url or _is_loopback(host):
        return None
    return (f"warning: listening on {host} without PUBLIC_URL; the Client API's location "
            f"answers only requests for the hosts in ALLOWED_HOSTS ({allowed_hosts}). Set "
            "PUBLIC_URL to the address clients use, e.g. https://auth.example.com.")


def metrics_warning(host: str, metrics_enabled: bool, metrics_token: str) -> str | None:
    """A warning when other machines can read /metrics without a token: it names apps by
    id and counts their keys and logins."""
    if not metrics_enabled or metrics_token or _is_loopback(host):
        return None
    return (f"warning: listening on {host} with /metrics open to anyone; set METRICS_TOKEN "
            "(or METRICS_ENABLED=false), or keep /metrics from other networks at your proxy.")


def port_in_use(host: str, port: int) -> bool:
    """Tell whether something already listens on `host`:`port` (as the server would bind it).

    Asked before anything else, so that a second server started by mistake says so at
    once instead of retrying its bind and leaving a half-started process behind.
    """
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
        try:
            probe.bind((address, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE  # anything else: the server will say it
    return False


# prometheus_client's multiprocess mode: each worker writes its values to files there, and
# a scrape sums every worker's (app/http/metrics.py).
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_directory() -> Iterator[str]:
    """The folder where the workers share their metrics, for as long as the server runs.

    The operator's, when PROMETHEUS_MULTIPROC_DIR names one (left as it is: it may be kept
    on purpose). Otherwise a new, empty folder of this server's own, removed when it
    stops: files of an earlier run would add its counts to this one's. Set in the
    environment before the service is imported: prometheus_client chooses where values
    live when it is first imported, and the workers inherit the choice.
    """
    configured = os.environ.get(METRICS_DIR_VARIABLE)
    if configured:
        os.makedirs(configured, mode=0o700, exist_ok=True)
        yield configured
        return
    created = tempfile.mkdtemp(prefix="appservices-metrics-")  # mode 0700
    os.environ[METRICS_DIR_VARIABLE] = created
    try:
        yield created
    finally:
        os.environ.pop(METRICS_DIR_VARIABLE, None)
        shutil.rmtree(created, ignore_errors=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="APPSERVICES_HOST",
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              envvar="APPSERVICES_PORT", help="TCP port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              envvar="APPSERVICES_WORKERS", help="Worker processes [default: one per core].")
def serve(host: str, port: int, workers: int | None) -> None:
    """Run the service under granian.

    \b
    Examples:
      appservices serve
      appservices serve --host 0.0.0.0 --port 9090 --workers 4
      DATABASE_URL=postgresql://app@db/appservices appservices serve
    """
    if port_in_use(host, port):
        raise click.ClickException(f"port {port} is in use: pass --port")
    with metrics_directory():
        _serve(host, port, workers)


def _serve(host: str, port: int, workers: int | None) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    from app.cli import serve_worker
    from app.factory import bootstrap_admin

    try:
        flask_app = serve_worker.load()
    except Exception as error:  # a configuration problem: say it in one line
        raise click.ClickException(f"cannot start: {error}") from error
    bootstrap_admin(flask_app)

    def new_server() -> Any:
        server = Granian(
            "appservices",  # a name only: workers get the service from serve_worker.load
            address=host.strip("[]"),
            port=port,
            interface=Interfaces.WSGI,
            websockets=False,  # WSGI has none; granian would say so at every start
            workers=workers or _default_workers(),
            blocking_threads=1,
            respawn_failed_workers=True,  # a worker that dies is replaced
            workers_kill_timeout=GRACEFUL_STOP_SECONDS,
            # granian's own lines (start, workers spawned, stopped, replaced) at the
            # service's level, as an operator reads them beside the service's log.
            log_level=_granian_level(LogLevels, flask_app.config["LOG_LEVEL"]),
            log_access=False,  # written by the service itself: app/http/access_log.py
        )
        # Said once the port is bound (granian binds before it calls its start-up hooks
        # and spawns the workers), never before: "listening" must be true.
        server.on_startup(lambda: click.echo(
            f"appservices-auth listening on http://{host}:{port}", err=True))
        return server

    warnings = (
        exposure_warning(host, flask_app.config["PUBLIC_URL"], flask_app.config["ALLOWED_HOSTS"]),
        metrics_warning(host, flask_app.config["METRICS_ENABLED"],
                        flask_app.config["METRICS_TOKEN"]),
    )
    for warning in warnings:
        if warning:
            click.echo(warning, err=True)
    while True:
        try:
            new_server().serve(target_loader=serve_worker.application, wrap_loader=False)
            return  # told to stop: the workers finished their requests
        except SystemExit as stopped:
            # granian gives up when a replaced worker dies again within seconds (its
            # crash-loop guard) and exits 1. A worker killed twice in a row (the OOM
            # killer, an operator) must not take the service down: start again, as
            # gunicorn kept replacing workers.
            if stopped.code in (0, None):
                return
            pause = flask_app.config["RESTART_PAUSE_SECONDS"]
            click.echo("appservices-auth: workers kept dying; starting the server again in "
                       f"{pause:g} s", err=True)
            if not _pause_before_restart(pause):
                click.echo("appservices-auth: told to stop; not starting again", err=True)
                return


def _pause_before_restart(seconds: float) -> bool:
    """Wait `seconds` before starting again; False if told to stop meanwhile.

    Between two servers nobody else listens for SIGTERM (granian's handlers belonged to
    the server that gave up), so an operator's stop would otherwise be lost.
    """
    stop = threading.Event()
    stopping = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in stopping}
    try:
        return not stop.wait(seconds)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
