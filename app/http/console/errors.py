"""Error pages of the console: HTML in words, while the APIs keep their JSON envelope."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.domain import availability
from app.domain.errors import DomainError
from app.http import errors as api_errors
from app.http.console.auth import signed_in_admin
from app.http.console.blueprint import bp, in_console, secure_headers

log = logging.getLogger(__name__)

TITLES = {
    400: "The request could not be accepted",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Already exists",
    413: "Too much data",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The database is unavailable",
}
EXPLANATIONS = {
    404: "There is no such page in the console. It may have been deleted, or the address "
         "may be mistyped.",
    405: "This page cannot be used that way. Go back and use the page's own buttons.",
    413: "The form sent more data than the service accepts.",
    500: "The service failed to do this. The error is in its log; nothing about it is shown "
         "here.",
}


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Render the console's error page with `message` in words."""
    title = TITLES.get(status, "The request could not be accepted")
    response = Response(
        render_template("console/error.html", status=status, title=title, message=message,
                        signed_in=g.get("admin_key") is not None),
        status=status, mimetype="text/html",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return secure_headers(response)


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError) -> Response:
    return error_page(400, "The form was refused because it did not carry this console's "
                           f"security token ({error.description}). Go back, reload the page "
                           "and send the form again.")


@bp.errorhandler(DomainError)
def domain_refused(error: DomainError) -> Response:
    return error_page(error.status, error.message, error.headers)


@bp.errorhandler(HTTPException)
def http_refused(error: HTTPException) -> Response:
    return _http_error_page(error)


def database_down(error: Exception) -> Response:
    log.error("database unavailable: %s", type(error).__name__)
    return domain_refused(availability.unavailable())


for _database_down in availability.UNAVAILABLE:
    bp.register_error_handler(_database_down, database_down)


@bp.errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error_page(error)
    log.exception("unhandled error in the console")
    return error_page(500, EXPLANATIONS[500])


def _http_error_page(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        log.error("server error %s", status)
    return error_page(status, EXPLANATIONS.get(status) or error.description
                      or "The request could not be accepted.")


def init_app(app: Flask) -> None:
    """Answer the console's unknown URLs and wrong methods with HTML pages too.

    A URL that matches no route belongs to no blueprint, so the console's own handlers
    never see it. These handlers take every 404 and 405 of the app and keep the APIs'
    answer (their JSON envelope) for everything outside /console.
    """

    def routing_error(error: HTTPException) -> Response:
        if in_console(request.path):
            if g.get("admin_key") is None:
                try:
                    signed_in_admin()
                except Exception:  # the database is down: the page, without navigation
                    log.warning("could not read the console session for an error page")
            return _http_error_page(error)
        return api_errors.http_exception_response(error)

    app.register_error_handler(404, routing_error)
    app.register_error_handler(405, routing_error)
