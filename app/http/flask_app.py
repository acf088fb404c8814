"""The service's Flask class: Flask, less a cost every request paid for nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from app.http.json_body import ServiceRequest

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

# Where the environ keeps, once the request is answered, what Flask matched it to (Flask
# clears its own request object from the environ as the request ends): the URL rule (None
# for a path no route serves), the view's arguments, and the client user and app the
# request was made as, when known (a client token's, or a successful login's: the views
# set `g.user_id` and `g.app_id`). The metrics and the JSON access log read them there.
SERVED_RULE = "appservices.url_rule"
SERVED_ARGS = "appservices.view_args"
SERVED_USER = "appservices.user_id"
SERVED_APP = "appservices.app_id"
# Told of every answered request: its environ (see SERVED_RULE), its status line and how
# long the answer took, in seconds.
RequestObserver = Callable[["WSGIEnvironment", str, float], None]


class ServiceFlask(Flask):
    """Flask with the service's request class and its request hooks resolved once.

    Flask asks, for every hook of every request (nine on the service's requests), whether
    the hook is a coroutine function (`ensure_sync` -> `inspect.iscoroutinefunction`);
    the answer never changes for a function, and asking cost about 30 us a request, a
    quarter of a trivial endpoint's whole time. The answer is kept per function.
    """

    request_class = ServiceRequest  # request.get_json refuses what no field can take

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: dict[Callable[..., Any], Callable[..., Any]] = {}
        # app.http.metrics: one observation a request, made here rather than in request
        # hooks, because only here is the whole answer timed and its status known.
        self.request_observer: RequestObserver | None = None

    def process_response(self, response: Response) -> Response:
        # Every answer passes here, error handlers' included, with the request still known.
        environ = request.environ
        environ[SERVED_RULE] = request.url_rule
        environ[SERVED_ARGS] = request.view_args
        caller = g.get("caller")
        if caller is not None:
            environ[SERVED_USER] = caller.user.id
            environ[SERVED_APP] = caller.session.app_id
        else:
            environ[SERVED_USER] = g.get("user_id")
            environ[SERVED_APP] = g.get("app_id")
        return super().process_response(response)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        observe = self.request_observer
        if observe is None:
            return super().wsgi_app(environ, start_response)
        started = perf_counter()
        status = "500"

        def remember(line: str, headers: list[tuple[str, str]], *info: Any) -> Any:
            nonlocal status
            status = line
            return start_response(line, headers, *info)

        try:
            # Flask makes the whole answer, body included, before it returns it.
            return super().wsgi_app(environ, remember)
        finally:
            observe(environ, status, perf_counter() - started)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync_functions[func]
        except KeyError:
            sync = self._sync_functions[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # an unhashable callable: ask Flask each time
            return super().ensure_sync(func)
