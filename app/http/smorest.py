"""flask-smorest adapted to the wire contract: 400 (not 422) for bad input, and every
error in the contract's envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
from flask import Flask, Request
from flask.views import MethodView
from marshmallow import Schema, fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException

from app.domain.errors import InvalidParameter
from app.http import json_body, openapi_doc

F = TypeVar("F", bound=Callable[..., Any])
V = TypeVar("V", bound=Callable[..., Any] | type[MethodView])


def _manual_doc(view: Callable[..., Any]) -> dict[str, Any]:
    manual: dict[str, Any] = getattr(view, "_apidoc", {}).get("manual_doc", {})
    return manual


def operation(operation_id: str) -> Callable[[F], F]:
    """Name a view's operation in the contract (its `operationId`).

    What @blp.doc(operationId=...) records, without its wrapper around every call.
    """
    def decorator(view: F) -> F:
        _set_manual_doc(view, operationId=operation_id)
        return view

    return decorator


def _set_manual_doc(view: Callable[..., Any], **doc: Any) -> None:
    apidoc = getattr(view, "_apidoc", {})
    view._apidoc = {**apidoc, "manual_doc": {**_manual_doc(view), **doc}}  # type: ignore[attr-defined]


class ErrorSchema(Schema):
    """The error envelope of the wire contract; `link` names the request (see errors.py)."""

    error = fields.String(required=True, metadata={"description": "A human message"})
    error_code = fields.String(required=True, metadata={"example": "InvalidParameter"})
    link = fields.String(required=True, metadata={
        "description": "The log entry of this request: `{base}/groups/{groupId}/apps/{appId}"
                       "/logs?co_id={correlation id}` when it concerned an app, "
                       "`{base}/console/logs?co_id={correlation id}` otherwise. The "
                       "correlation id is also in the X-Appservices-Request-Id header.",
        "example": "https://auth.example.com/groups/65f0c0ffee0000000000000a/apps/"
                   "65f0c0ffee0000000000000b/logs?co_id=65f0c0ffee0000000000000c",
    })


class ServiceParser(FlaskParser):
    """Parse request arguments; invalid ones are a 400, as the contract says."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Request) -> Any:
        # webargs treats a body of another content type as no body at all, which turns
        # `{"name": "x"}` sent as text/plain into a baffling "missing field 'name'".
        # An empty body (realm-core labels even those JSON) is still no body.
        data = req.get_data(cache=True)
        if not is_json_request(req):
            if data:
                raise InvalidParameter(
                    "request body must be JSON, sent with 'Content-Type: application/json'"
                )
            return core.missing
        # Every endpoint's body is read here: what no field can take is refused once.
        return json_body.loads(data)


class ServiceBlueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose name is the tag of its operations in the contract.

    Every operation names its `operationId`: clients generated from openapi.yaml take
    their method names from it, so it must be the official Admin API document's where
    that document has the operation (and in its style where it has not). A view function
    is routed with `operation_id=`; a resource with several methods is a `MethodView`
    whose every method is marked with `@operation(...)`.
    """

    ARGUMENTS_PARSER = ServiceParser()

    def route(self, rule: str, *, operation_id: str | None = None,
              **options: Any) -> Callable[[V], V]:
        """Register a view function or a MethodView under `rule`, with its operationIds."""
        def decorator(view: V) -> V:
            route_options = options
            if isinstance(view, type) and issubclass(view, MethodView):
                methods = [getattr(view, method.lower()) for method in sorted(view.methods or ())]
                unnamed = [method.__name__ for method in methods
                           if "operationId" not in _manual_doc(method)]
                if operation_id is not None or unnamed:
                    raise TypeError(f"{view.__name__}: name each method's operation with "
                                    f"@operation(...), not route(operation_id=...); "
                                    f"unnamed: {unnamed}")
                # flask-smorest would give every method the same list, which the YAML of
                # the contract then writes as an anchor and aliases: each gets its own.
                route_options = {key: value for key, value in options.items() if key != "tags"}
                for method in methods:
                    if "tags" in options:
                        _set_manual_doc(method, tags=list(options["tags"]))
            elif operation_id is None:
                raise TypeError(f"{rule}: route(operation_id=...) is required")
            else:
                operation(operation_id)(view)
            registered: V = super(ServiceBlueprint, self).route(rule, **route_options)(view)
            return registered

        return decorator

    def enable_and_disable(self, rule: str, *, find: Callable[..., Any],
                           set_disabled: Callable[[Any, bool], None],
                           guard: Callable[[F], F], statuses: tuple[int, ...],
                           enable: tuple[str, str], disable: tuple[str, str],
                           logged: Callable[[str], Callable[[F], F]] | None = None) -> None:
        """Add `PUT {rule}/enable` and `PUT {rule}/disable` (idempotent, 204).

        Each finds its row with `find(**url parameters)` and sets its `disabled` flag;
        `enable` and `disable` are each an operationId and the operation's summary.
        `logged(action)`, when given, decorates each view around everything else (its app
        log entry: app.http.app_log).
        """
        for action, disabled, (operation_id, summary) in (("enable", False, enable),
                                                          ("disable", True, disable)):
            view = _switch(find, set_disabled, disabled)
            view.__name__ = f"{action}_{operation_id}"
            view.__doc__ = summary
            documented = guard(self.response(204)(openapi_doc.errors(*statuses)(view)))
            if logged is not None:
                documented = logged(action)(documented)
            self.route(f"{rule}/{action}", methods=["PUT"],
                       operation_id=operation_id)(documented)

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        # Handed a schema class, webargs makes a new instance on every request, and
        # marshmallow deep-copies the declared fields each time: 7% of a login (bench/).
        # One instance serves every request: loading keeps no state in the schema.
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


def _switch(find: Callable[..., Any], set_disabled: Callable[[Any, bool], None],
            disabled: bool) -> Callable[..., None]:
    def view(**ids: str) -> None:
        set_disabled(find(**ids), disabled)

    return view


class ServiceApi(flask_smorest.Api):
    """The Api object: errors in our envelope, no catch-all default error in the spec."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        openapi_doc.register_components(self.spec)

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Answer every HTTP error (routing, validation, size) in the contract's envelope."""
        from app.http.errors import http_exception_response  # avoids an import cycle

        return http_exception_response(error)
