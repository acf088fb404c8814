"""The admin console at /console: server-rendered pages for people, over the domain.

A plain Flask blueprint (not flask-smorest), so it stays out of openapi.yaml. Its pages
call the domain exactly as the Admin API's views do; it builds no query of its own.
"""

from __future__ import annotations

from flask import Flask

from app.http.console import auth, errors, key_rolls, pages, request_log
from app.http.console.blueprint import bp

__all__ = ["init_app"]
_ROUTES = (auth, pages, key_rolls, request_log)  # imported for the routes they add to `bp`


def init_app(app: Flask) -> None:
    """Serve the console: its session cookie, CSRF protection, pages and error pages."""
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(request_log.links)  # the error links' path, at the root
    errors.init_app(app)
