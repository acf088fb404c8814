"""The access log: one line per request, ending with the request's correlation id.

`appservices serve` wraps the service in this middleware; the WSGI server itself logs no
requests. Granian, the server it runs, can only log request headers, and the id we need
is a *response* header (X-Appservices-Request-Id, the id an error's `link` names), so the
line is written here. The format is the combined log format most tools parse, then
`co_id=...`. The request line holds no secret: tokens and keys travel in headers and
bodies only, never in a path or query.

With LOG_FORMAT=json each line is instead one JSON object, for log collectors: `time`
(ISO 8601, UTC), `co_id`, `method`, `route` (the URL rule, null when no route served
the path), `path` (never the query string), `status`, `duration_ms`, `remote_addr`, and
when known `app_id` (an Admin API path's, or the app of a client login or token),
`client_app_id` (a Client API path's) and `user_id` (the client user logged in or calling).
No header and no body is written: a token, key or password is never in a line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.http.flask_app import SERVED_APP, SERVED_ARGS, SERVED_RULE, SERVED_USER

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CORRELATION_HEADER = "x-appservices-request-id"

access_logger = logging.getLogger("appservices.access")


def _configure_once() -> None:
    # The access log goes to stdout whatever LOG_LEVEL says, as a server's access log
    # does; the service's own log (stderr) keeps its level.
    if access_logger.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False


def _quoted(value: str) -> str:
    # A header or path from the client must not break the line or fake another field.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "\\r")


class AccessLog:
    """WSGI middleware writing the access line once the service has made the answer."""

    def __init__(self, application: WSGIApplication, *, json_lines: bool = False) -> None:
        self.application = application
        self._write = _write_json if json_lines else _write
        _configure_once()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        if not access_logger.isEnabledFor(logging.INFO):
            return self.application(environ, start_response)
        started = time.time()
        clock_started = time.perf_counter()
        answer: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answer[:] = (status, headers)
            return start_response(status, headers, *args)

        body = self.application(environ, capture)
        if answer:
            # The answer is made (Flask starts the response before it returns): say so now,
            # before the server sends it, so that no line is lost to a worker stopped right
            # after its client got the answer.
            self._write(environ, answer, started, clock_started)
            return body
        # An answer started only as its body is read: log once the server has closed it.
        return _LoggedBody(body, lambda: self._write(environ, answer, started, clock_started))


def _header_values(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The answer's correlation id and length, `-` for either it does not have."""
    co_id = length = "-"
    for name, value in headers:
        lowered = name.lower()
        if lowered == CORRELATION_HEADER:
            co_id = value
        elif lowered == "content-length":
            length = value
    return co_id, length


def _write(environ: WSGIEnvironment, answer: list[Any], started: float,
           _clock_started: float) -> None:
    status, headers = answer if answer else ("500", ())
    co_id, length = _header_values(headers)
    query = environ.get("QUERY_STRING", "")
    target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    request_line = (f"{environ.get('REQUEST_METHOD', '-')} {target} "
                    f"{environ.get('SERVER_PROTOCOL', '-')}")
    when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(started))
    access_logger.info(
        '%s - - [%s] "%s" %s %s "%s" "%s" co_id=%s',
        environ.get("REMOTE_ADDR", "-"), when, _quoted(request_line), status.split(" ", 1)[0],
        length, _quoted(environ.get("HTTP_REFERER", "-")),
        _quoted(environ.get("HTTP_USER_AGENT", "-")), co_id)


def _write_json(environ: WSGIEnvironment, answer: list[Any], started: float,
                clock_started: float) -> None:
    duration_ms = (time.perf_counter() - clock_started) * 1000
    status, headers = answer if answer else ("500", ())
    co_id, _ = _header_values(headers)
    rule = environ.get(SERVED_RULE)
    arguments = environ.get(SERVED_ARGS) or {}
    line: dict[str, Any] = {
        "time": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds"),
        "co_id": None if co_id == "-" else co_id,
        "method": environ.get("REQUEST_METHOD"),
        "route": rule.rule if rule is not None else None,
        "path": _text_of(environ.get("PATH_INFO", "")),  # the query string, never
        "status": int(status[:3]) if status[:3].isdigit() else None,
        "duration_ms": round(duration_ms, 3),
        "remote_addr": environ.get("REMOTE_ADDR"),
    }
    app_id = environ.get(SERVED_APP) or arguments.get("appId")
    if app_id:
        line["app_id"] = app_id
    if arguments.get("clientAppId"):
        line["client_app_id"] = arguments["clientAppId"]
    if environ.get(SERVED_USER):
        line["user_id"] = environ[SERVED_USER]
    # ensure_ascii: a path's odd characters stay escapes, never raw bytes in the log.
    access_logger.info("%s", json.dumps(line, ensure_ascii=True, separators=(",", ":")))


def _text_of(wsgi_string: str) -> str:
    """A WSGI string (bytes as latin-1) as the UTF-8 text the client meant, as Flask reads
    a path; bytes that are no UTF-8 become U+FFFD."""
    try:
        return wsgi_string.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # not a WSGI string after all: as it is
        return wsgi_string


class _LoggedBody:
    """The answer's body, passed through; the line is written when the server closes it
    (PEP 3333: every server calls close(), after the last byte or when the client left)."""

    def __init__(self, body: Iterable[bytes], write: Callable[[], None]) -> None:
        self._body = body
        self._write = write

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._write()
