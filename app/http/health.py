"""Health checks for load balancers and orchestrators.

`/healthz` asks the database (readiness: send traffic here) and says how much it holds
(live sessions, bytes: app.domain.usage); `/healthz/live` asks
nothing but the process itself (liveness: restart it if this stops answering). The
liveness answer touches no database, so it is also the benchmark's floor: the cost of
the web framework alone, under the same server configuration (see bench/).
"""

from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields

from app import __version__
from app.domain import usage
from app.domain.availability import database_answers
from app.http.errors import database_unavailable_response
from app.http.openapi_doc import errors
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
