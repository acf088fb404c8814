"""The service's Flask class: Flask, less a cost every request paid for nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from app.http.json_body import ServiceRequest


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

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync_functions[func]
        except KeyError:
            sync = self._sync_functions[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # an unhashable callable: ask Flask each time
            return super().ensure_sync(func)
