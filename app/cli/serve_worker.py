"""What every granian worker of `appservices serve` serves: the service, with its access log.

A module-level function, so that granian can hand it to a worker process however that
process starts: forked (Linux' default up to Python 3.13), the worker inherits the service
that `serve` built and checked; spawned (the default from 3.14), it builds its own from
the same environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from app.factory import create_app
from app.http.access_log import AccessLog

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

_built: Flask | None = None


def load() -> Flask:
    """Build the service in the server's main process (schema, configured admin key)."""
    global _built
    _built = create_app()
    return _built


def application() -> WSGIApplication:
    """The WSGI application a worker serves."""
    service = _built if _built is not None else create_app()
    return AccessLog(service, json_lines=service.config["LOG_FORMAT"] == "json")
