"""Health checks for load balancers and orchestrators, and metrics for Prometheus.

`/healthz` asks the database (readiness: send traffic here) and says how much it holds
(live sessions, bytes: app.domain.usage); `/healthz/live` asks
nothing but the process itself (liveness: restart it if this stops answering). The
liveness answer touches no database, so it is also the benchmark's floor: the cost of
the web framework alone, under the same server configuration (see bench/).

`/metrics` answers what app.http.metrics counts, in Prometheus' text format: a 404 when
METRICS_ENABLED is off, as for any path that serves nothing; with METRICS_TOKEN set, only
to `Authorization: Bearer <token>` (compared in constant time).
"""

from __future__ import annotations

import hmac

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields

from app import __version__
from app.domain import usage
from app.domain.availability import database_answers
from app.http import metrics as service_metrics
from app.http.errors import database_unavailable_response, error_response
from app.http.openapi_doc import METRICS_TOKEN_SCHEME, errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("health", __name__, description="Service health")


_VERSION = {"description": "The release of the service answering (`appservices --version`)."}


class LivenessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})
    version = fields.String(metadata=_VERSION)


class SchemaVersionSchema(Schema):
    database = fields.Integer(required=True, metadata={
        "description": "The latest schema version the database records."})
    code = fields.Integer(required=True, metadata={
        "description": "The schema version this release migrates databases to. A lower "
                       "number than `database` means a newer release migrated the database: "
                       "replace this server (README, \"Upgrading\")."})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "unavailable"]})
    database = fields.String(required=True, metadata={"enum": ["ok", "unreachable"]})
    version = fields.String(metadata=_VERSION)
    schema_version = fields.Nested(SchemaVersionSchema, metadata={
        "description": "At most a few seconds old, as the figures below."})
    sessions = fields.Integer(metadata={
        "description": "Live client sessions (refresh tokens not yet expired). Exact on "
                       "SQLite; on PostgreSQL the planner's estimate of the session table's "
                       "rows (see sessions_estimated). At most a few seconds old."})
    sessions_estimated = fields.Boolean(metadata={
        "description": "Whether `sessions` is an estimate (PostgreSQL)."})
    database_bytes = fields.Integer(metadata={
        "description": "The database's size on disk: SQLite's pages and write-ahead log, "
                       "or PostgreSQL's pg_database_size."})


@blp.route("/healthz", methods=["GET"], operation_id="getHealth")
@blp.response(200, HealthSchema)
@errors(503)
def healthz() -> Response:
    """Answer 200 when the database answers, 503 when it does not."""
    if database_answers():
        held = usage.usage()
        return jsonify({"status": "ok", "database": "ok", "version": __version__,
                        "schema_version": {"database": held.schema_version,
                                           "code": usage.CODE_SCHEMA_VERSION},
                        "sessions": held.sessions,
                        "sessions_estimated": held.sessions_estimated,
                        "database_bytes": held.database_bytes})
    return database_unavailable_response()


@blp.route("/healthz/live", methods=["GET"], operation_id="getLiveness")
@blp.response(200, LivenessSchema)
def live() -> dict[str, str]:
    """Answer 200 while the process serves requests; the database is not asked."""
    return {"status": "ok", "version": __version__}


def _bearer_is(token: str) -> bool:
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        sent.strip().encode(), token.encode())


@blp.route("/metrics", methods=["GET"], operation_id="getMetrics")
@blp.doc(security=[{}, {METRICS_TOKEN_SCHEME: []}], responses={"200": {
    "description": "The metrics in Prometheus' text exposition format (OpenMetrics when "
                   "the Accept header asks for it)",
    "content": {"text/plain": {"schema": {"type": "string"}}}}})
@errors(401, 404)
def metrics() -> Response:
    """Prometheus metrics of the service.

    Logins by provider and outcome, throttled requests, keys per app, request latency per
    route, database errors. Not found (404) with METRICS_ENABLED=false; with METRICS_TOKEN
    set, only for `Authorization: Bearer <token>`.
    """
    counted = service_metrics.current()
    if counted is None:
        return error_response(404, "NotFound", "no such resource")
    token = current_app.config["METRICS_TOKEN"]
    if token and not _bearer_is(token):
        return error_response(401, "InvalidSession", "a valid metrics token is required",
                              {"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = counted.exposition(request.headers.get("Accept"))
    return Response(body, content_type=content_type)
