"""The access log: one line per request, ending with the request's correlation id.

`appservices serve` wraps the service in this middleware; the WSGI server itself logs no
requests. Granian, the server it runs, can only log request headers, and the id we need
is a *response* header (X-Appservices-Request-Id, the id an error's `link` names), so the
line is written here. The format is the combined log format most tools parse, then
`co_id=...`. The request line holds no secret: tokens and keys travel in headers and
bodies only, never in a path or query.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

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
    """WSGI middleware writing the access line once the answer has been sent."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application
        _configure_once()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        started = time.time()
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, *args)

        body = self.application(environ, capture)
        return _LoggedBody(body, lambda sent: self._write(environ, answer, sent, started))

    @staticmethod
    def _write(environ: WSGIEnvironment, answer: dict[str, Any], sent: int,
               started: float) -> None:
        status = str(answer.get("status", "500")).split(" ", 1)[0]
        co_id = "-"
        for name, value in answer.get("headers", ()):
            if name.lower() == CORRELATION_HEADER:
                co_id = value
                break
        query = environ.get("QUERY_STRING", "")
        target = environ.get("RAW_URI") or environ.get("PATH_INFO", "") + (
            f"?{query}" if query else "")
        request_line = (f"{environ.get('REQUEST_METHOD', '-')} {target} "
                        f"{environ.get('SERVER_PROTOCOL', '-')}")
        when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(started))
        access_logger.info(
            '%s - - [%s] "%s" %s %s "%s" "%s" co_id=%s',
            environ.get("REMOTE_ADDR", "-"), when, _quoted(request_line), status,
            sent if sent else "-", _quoted(environ.get("HTTP_REFERER", "-")),
            _quoted(environ.get("HTTP_USER_AGENT", "-")), co_id)


class _LoggedBody:
    """The answer's body, passed through; the line is written when the server closes it."""

    def __init__(self, body: Iterable[bytes], write: Callable[[int], None]) -> None:
        self._body = body
        self._write = write
        self._sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._write(self._sent)
