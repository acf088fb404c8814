"""Health check for load balancers and orchestrators."""

from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields

from app.db import ping
from app.http.docs import errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("health", __name__, description="Service health")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})
    database = fields.String(required=True, metadata={"enum": ["ok", "unreachable"]})


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
@errors(503)
def healthz() -> Response:
    """Answer 200 when the database answers, 503 when it does not."""
    if ping():
        return jsonify({"status": "ok", "database": "ok"})
    response = jsonify({"error": "the database is unreachable",
                        "error_code": "ServiceUnavailable"})
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    return response
