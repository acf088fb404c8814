"""Every failure, whatever raised it, answers in the wire contract's error envelope.

`{"error": "<message>", "error_code": "<Code>"}` with the contract's status. Every field
is a string (realm-core drops an error with a null field) and the content type is
exactly `application/json` (realm-core parses errors only with that header).
"""

from __future__ import annotations

import logging
from typing import Any

import peewee
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.db import discard_connection
from app.domain.errors import DomainError

log = logging.getLogger(__name__)

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


def error_response(status: int, error_code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """Build an error response in the contract's envelope."""
    response = jsonify({"error": message, "error_code": error_code})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


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
        log.error("server error %s", status)
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

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Response:
        return error_response(error.status, error.error_code, error.message, error.headers)

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def handle_database_down(error: Exception) -> Response:
        log.error("database unavailable: %s", type(error).__name__)
        discard_connection()
        return error_response(503, "ServiceUnavailable",
                              "the database is unavailable; try again shortly",
                              {"Retry-After": "1"})

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_exception_response(error)
        # Logged with the traceback for operators; the client learns nothing internal.
        log.exception("unhandled error")
        return error_response(500, "InternalServerError", "internal server error")
