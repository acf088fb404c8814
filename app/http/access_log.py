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
    """WSGI middleware writing the access line once the service has made the answer."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application
        _configure_once()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        if not access_logger.isEnabledFor(logging.INFO):
            return self.application(environ, start_response)
        started = time.time()
        answer: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answer[:] = (status, headers)
            return start_response(status, headers, *args)

        body = self.application(environ, capture)
        if answer:
            # The answer is made (Flask starts the response before it returns): say so now,
            # before the server sends it, so that no line is lost to a worker stopped right
            # after its client got the answer.
            _write(environ, answer, started)
            return body
        # An answer started only as its body is read: log once the server has closed it.
        return _LoggedBody(body, lambda: _write(environ, answer, started))


def _write(environ: WSGIEnvironment, answer: list[Any], started: float) -> None:
    status, headers = answer if answer else ("500", ())
    co_id = length = "-"
    for name, value in headers:
        lowered = name.lower()
        if lowered == CORRELATION_HEADER:
            co_id = value
        elif lowered == "content-length":
            length = value
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
