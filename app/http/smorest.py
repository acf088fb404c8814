"""flask-smorest adapted to the wire contract: 400 (not 422) for bad input, and every
error in the contract's envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
from flask import Flask, Request
from marshmallow import Schema, fields
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException

from app.domain.errors import InvalidParameter
from app.http import json_body, openapi_doc

F = TypeVar("F", bound=Callable[..., Any])


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

    Every route names its `operationId`: clients generated from openapi.yaml take their
    method names from it, so it must be the official Admin API document's where that
    document has the operation (and in its style where it has not).
    """

    ARGUMENTS_PARSER = ServiceParser()

    def route(self, rule: str, *, operation_id: str, **options: Any) -> Callable[[F], F]:
        """Register a view under `rule`, documented with its `operationId`."""
        register = super().route(rule, **options)

        def decorator(func: F) -> F:
            # What @blp.doc(operationId=...) records, without its wrapper around every call.
            apidoc = getattr(func, "_apidoc", {})
            manual_doc = {**apidoc.get("manual_doc", {}), "operationId": operation_id}
            func._apidoc = {**apidoc, "manual_doc": manual_doc}  # type: ignore[attr-defined]
            registered: F = register(func)
            return registered

        return decorator

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        # Handed a schema class, webargs makes a new instance on every request, and
        # marshmallow deep-copies the declared fields each time: 7% of a login (bench/).
        # One instance serves every request: loading keeps no state in the schema.
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


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
