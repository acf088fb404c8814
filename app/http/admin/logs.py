"""Admin API: an app's log (AUTH and API_KEY entries), in the original's shape."""

from __future__ import annotations

from typing import Any

from app.domain import app_logs
from app.http.admin.lookup import app_for
from app.http.admin.schemas import AppLogArgsSchema, AppLogPageSchema
from app.http.auth import admin_access_required
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("logs", __name__, description="Admin API: app logs")


@blp.route("/groups/<string:groupId>/apps/<string:appId>/logs", methods=["GET"],
           operation_id="adminGetLogs")
@admin_access_required
@blp.arguments(AppLogArgsSchema, location="query")
@blp.response(200, AppLogPageSchema)
@errors(400, 404)
def get_logs(args: dict[str, Any], groupId: str, appId: str) -> dict[str, Any]:
    """Retrieve the app's log entries, newest first: `AUTH` (logins, refreshes, logouts
    and their failures) and `API_KEY` (key creation, enabling, disabling, deletion, roll).
    A page that leaves entries out gives `nextEndDate` (and `nextSkip` when the next
    entry started at the same time): send them as `end_date` and `skip` for the next page.
    An error's `link` names its request's entries: `?co_id=`. Entries are kept
    LOG_RETENTION_DAYS (default 10)."""
    app = app_for(groupId, appId)
    query = app_logs.parse_query(
        co_id=args.get("co_id"), errors_only="errors_only" in args,
        user_id=args.get("user_id"), start_date=args.get("start_date"),
        end_date=args.get("end_date"), skip=args.get("skip"), limit=args.get("limit"),
        entry_type=args.get("type"))
    return app_logs.page_view(app_logs.search(app, query), app)
