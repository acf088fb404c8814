"""Every failure, whatever raised it, answers in the wire contract's error envelope.

`{"error": "<message>", "error_code": "<Code>", "link": "<url>"}` with the contract's
status. Every field is a string (realm-core drops an error with a null field) and the
content type is exactly `application/json` (realm-core parses errors only with that header).

Every request gets a correlation id (24 hex characters, like the original's), sent back in
the `X-Appservices-Request-Id` header (the one realm-core reads) and written in the access
log line and in any log line about the request. An error's `link` names it, as the
original's did: `{base}/groups/{groupId}/apps/{appId}/logs?co_id={id}` when the request
concerned an app, `{base}/console/logs?co_id={id}` otherwise. Both open a console page
naming the request (app/http/console/request_log.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.domain import availability, logins, sessions
from app.domain.errors import DomainError
from app.domain.ids import is_object_id, new_object_id
from app.http import metrics
from app.http.urls import trusted_base_url

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Appservices-Request-Id"
# The console page every server-wide link opens (the console's blueprint serves it).
SERVER_LOG_PATH = "/console/logs"
_ADMIN_APP_PATH = re.compile(r"/api/admin/v3\.0/groups/([^/]+)/apps/([^/]+)(?:/.*)?")
_CLIENT_APP_PATH = re.compile(r"/api/client/v2\.0/app/([^/]+)/.*")
_CLIENT_SESSION_PATH = "/api/client/v2.0/auth/"
_MISSING = "Missing data for required field."
_UNKNOWN = "Unknown field."
_CODES_BY_STATUS = {
    400: "InvalidParameter",
    401: "InvalidSession",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "InvalidParameter",
    409: "Conflict",
    413: "InvalidParameter",
    415: "InvalidParameter",
    429: "TooManyRequests",
}


def correlation_id() -> str:
    """The id of the request being served, made on first use."""
    value: str | None = g.get("correlation_id")
    if value is None:
        value = g.correlation_id = new_object_id()
    return value


def _app_of_request(database_usable: bool) -> tuple[str, str] | None:
    """The (groupId, appId) of the app the request concerned, when it can be told.

    Admin API paths name both; a Client API path names the client App ID; a
    token-authenticated client call belongs to its session's app. The ids of an Admin
    API path are taken when they have the shape of ids, unchecked: the console page
    checks them against the admin who opens it.
    """
    path = request.path
    match = _ADMIN_APP_PATH.fullmatch(path)
    if match:
        group_id, app_id = match.groups()
        return (group_id, app_id) if is_object_id(group_id) and is_object_id(app_id) else None
    caller = g.get("caller")
    if caller is not None:
        return caller.session.app.group_id, caller.session.app.id
    if not database_usable:
        return None
    app = None
    match = _CLIENT_APP_PATH.fullmatch(path)
    if match:
        app = logins.find_app_by_client_id(match.group(1))
    elif path.startswith(_CLIENT_SESSION_PATH):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            app = sessions.app_of_token(token.strip())
    if app is None:
        return None
    g.app_of_request = app  # the request's app log entry is the app's (app.http.app_log)
    return app.group_id, app.id


def log_link(*, database_usable: bool = True) -> str:
    """The link of this request's error: its app's log entry, or the server's."""
    co_id = correlation_id()
    try:
        known = _app_of_request(database_usable)
    except availability.DATABASE_FAILED:  # the error being answered may be the database's
        availability.forget_connection()
        known = None
    # Never a Host header that nobody vouched for: a relative link instead.
    base = trusted_base_url() or request.script_root
    if known is None:
        return f"{base}{SERVER_LOG_PATH}?co_id={co_id}"
    group_id, app_id = known
    return f"{base}/groups/{group_id}/apps/{app_id}/logs?co_id={co_id}"


def error_response(status: int, error_code: str, message: str,
                   headers: dict[str, str] | None = None, *,
                   database_usable: bool = True) -> Response:
    """Build an error response in the contract's envelope."""
    g.answered_error = (error_code, message)  # what the request's app log entry says
    response = jsonify({"error": message, "error_code": error_code,
                        "link": log_link(database_usable=database_usable)})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def database_unavailable_response() -> Response:
    """The answer of every API request, health check included, when the database is down."""
    error = availability.unavailable()
    return error_response(error.status, error.error_code, error.message, error.headers,
                          database_usable=False)


def _first_problem(messages: Any, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str]:
    """Walk webargs' nested validation messages down to the first field and message."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            return _first_problem(value, (*path, str(key)))
    if isinstance(messages, list) and messages:
        head = messages[0]
        if isinstance(head, str):
            return path, head
        return _first_problem(head, path)
    return path, str(messages)


def validation_error_response(messages: Any) -> Response:
    """Turn webargs' messages into one clear 400 naming the field."""
    path, message = _first_problem(messages)
    location = path[0] if path else "json"
    fields = [part for part in path[1:] if part != "_schema"]
    field = ".".join(fields)
    if message == "Invalid JSON body.":
        return error_response(400, "InvalidParameter", "request body is not valid JSON")
    if not field:
        if message == "Invalid input type.":
            message = "request body must be a JSON object"
        return error_response(400, "InvalidParameter", message)
    where = "query parameter" if location == "query" else "field"
    if message == _MISSING:
        return error_response(400, "MissingParameter", f"missing required {where} '{field}'")
    if message == _UNKNOWN:
        return error_response(400, "InvalidParameter", f"unknown {where} '{field}'")
    return error_response(400, "InvalidParameter", f"invalid {where} '{field}': {message}")


def http_exception_response(error: HTTPException) -> Response:
    """Answer a werkzeug HTTP error (routing, size, validation) in the envelope."""
    status = error.code or 500
    data = getattr(error, "data", None)
    if status == 400 and isinstance(data, dict) and "messages" in data:
        return validation_error_response(data["messages"])
    if status == 404:
        return error_response(404, "NotFound", "no such resource")
    if status == 405:
        return error_response(405, "MethodNotAllowed", "method not allowed on this resource")
    if status == 413:
        return error_response(413, "InvalidParameter", "request body is too large")
    if status == 400:
        return error_response(400, "InvalidParameter", "bad request: the body could not be read")
    if status >= 500:
        log.error("server error %s co_id=%s", status, correlation_id())
        return error_response(status, "InternalServerError", "internal server error")
    return error_response(status, _CODES_BY_STATUS.get(status, "InvalidParameter"),
                          error.description or "request refused")


def init_app(app: Flask) -> None:
    """Register the handlers that turn every exception into the envelope."""

    @app.before_request
    def refuse_oversized_body() -> None:
        # Werkzeug enforces MAX_CONTENT_LENGTH only when a view reads the body; a view
        # that reads none (enable, refresh) would otherwise accept any size.
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def send_correlation_id(response: Response) -> Response:
        response.headers[CORRELATION_HEADER] = correlation_id()
        return response

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Response:
        return error_response(error.status, error.error_code, error.message, error.headers)

    def handle_database_down(error: Exception) -> Response:
        metrics.count_database_error(error)
        log.error("database unavailable: %s co_id=%s", type(error).__name__,
                  correlation_id())
        return database_unavailable_response()

    for database_down in availability.UNAVAILABLE:
        app.register_error_handler(database_down, handle_database_down)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_exception_response(error)
        if isinstance(error, availability.DATABASE_FAILED):
            metrics.count_database_error(error)
        # Logged with the traceback for operators; the client learns nothing internal.
        log.exception("unhandled error co_id=%s", correlation_id())
        return error_response(500, "InternalServerError", "internal server error")
