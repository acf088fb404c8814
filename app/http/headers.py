"""Response headers that keep secrets out of caches and pages out of other sites' frames."""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api/"


def page_headers(response: Response, content_security_policy: str) -> Response:
    """Add the security headers of a page for people (the console, /docs).

    Pages may be framed by no one (clickjacking), are never sniffed as another type, and
    an HTML page, which may show admin data, is never cached.
    """
    response.headers.setdefault("Content-Security-Policy", content_security_policy)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Mark every API response as not to be stored by any cache."""

    @app.after_request
    def no_store(response: Response) -> Response:
        # Every API response, not only those carrying tokens and keys: nothing in either
        # API may be served again from a cache (a key list, a profile, a location answer
        # made for one Host), and a list of endpoints would miss the next one to return a
        # secret. Measured in process: 3.5 us of a 1,065 us login (0.3%). Pragma is for
        # HTTP/1.0 caches.
        if request.path.startswith(API_PREFIX):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
