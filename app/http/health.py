"""Health checks for load balancers and orchestrators.

`/healthz` asks the database (readiness: send traffic here); `/healthz/live` asks
nothing but the process itself (liveness: restart it if this stops answering). The
liveness answer touches no database, so it is also the benchmark's floor: the cost of
the web framework alone, under the same server configuration (see bench/).
"""

from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields

from app.domain.availability import database_answers
from app.http.errors import database_unavailable_response
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("health", __name__, description="Service health")


class LivenessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})
    database = fields.String(required=True, metadata={"enum": ["ok", "unreachable"]})


@blp.route("/healthz", methods=["GET"], operation_id="getHealth")
@blp.response(200, HealthSchema)
@errors(503)
def healthz() -> Response:
    """Answer 200 when the database answers, 503 when it does not."""
    if database_answers():
        return jsonify({"status": "ok", "database": "ok"})
    return database_unavailable_response()


@blp.route("/healthz/live", methods=["GET"], operation_id="getLiveness")
@blp.response(200, LivenessSchema)
def live() -> dict[str, str]:
    """Answer 200 while the process serves requests; the database is not asked."""
    return {"status": "ok"}
