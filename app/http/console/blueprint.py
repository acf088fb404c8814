"""The console's blueprint and what every page shares: the signed-in admin, CSRF, headers."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, request
from flask_wtf.csrf import CSRFProtect

from app.domain import text
from app.http.headers import page_headers

PREFIX = "/console"

bp = Blueprint("console", __name__, url_prefix=PREFIX, template_folder="templates",
               static_folder="static")

# Checked explicitly by the console (see auth.py), never app-wide: the APIs take JSON
# bodies with bearer tokens, which cross-site forms cannot forge.
csrf = CSRFProtect()

# Pages may use this server's styles, scripts and forms and nothing else: no inline
# script, no other origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def in_console(path: str) -> bool:
    """Tell whether `path` is one of the console's URLs."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a console path on this server, else None (no open redirect).

    A target with a control or bidi character is dropped too: a CR or LF cannot go in a
    Location header (werkzeug raises on it: a 500), and no console path holds one.
    """
    if not target or text.has_control_characters(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or "\\" in target:
        return None
    return target if in_console(parts.path) else None


def secure_headers(response: Response) -> Response:
    """Add the console's security headers; pages hold admin data, so nothing is cached."""
    return page_headers(response, CONTENT_SECURITY_POLICY)


@bp.after_request
def add_headers(response: Response) -> Response:
    return secure_headers(response)


@bp.app_template_filter("when")
def when(timestamp: int) -> str:
    """Format Unix seconds for people: `2024-05-01 12:00 UTC`."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.app_template_filter("iso_time")
def iso_time(timestamp: int) -> str:
    """Format Unix seconds for a <time datetime=...> attribute."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


@bp.app_template_filter("sentence")
def sentence(message: str) -> str:
    """Turn a domain message ("an API key named 'x' already exists") into a sentence."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def current_path() -> str:
    """The path (and query) of the request, for coming back after signing in."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")
