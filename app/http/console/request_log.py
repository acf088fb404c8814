"""An app's Logs page, and the page an error's `link` opens: the request's entry.

The original's errors link to the app's log entry for the request
(`/groups/{groupId}/apps/{appId}/logs?co_id=...`, at the server's root); the link leads
here. For an app the admin may see, the page shows the request's entries (AUTH and
API_KEY: app.domain.app_logs) with every field, or, for a request that made none, what
is known of it: the correlation id, when it arrived (an id's first four bytes are its
time). Without a `co_id` it is the app's Logs page: the newest entries, filtered by type,
errors, user and time range. It is never a 404: an admin who follows an SDK's link learns
what the link means even for an app they cannot see. The same correlation id ends the
request's line in the access log.

Every value an entry holds that a client chose (device descriptions, key names) is shown
through Jinja's escaping, never as markup.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.domain import admin, app_logs, apps
from app.domain.errors import DomainError
from app.domain.ids import is_object_id
from app.http.console.blueprint import bp
from app.models import App, Group

# The link's own path, at the server root as in the original: it leads into the console.
links = Blueprint("log_links", __name__)

Page = tuple[str, int]
# The filters of the Logs page: its query parameters (the form's fields).
FILTERS = ("type", "errors", "user", "since", "until")
# The console shows the types this server keeps; the API takes every type of the original.
SHOWN_TYPES = app_logs.KEPT_TYPES
PAGE_SIZE = 50


def _co_id() -> str | None:
    value = request.args.get("co_id", "")
    return value if is_object_id(value) else None


@links.route("/groups/<group_id>/apps/<app_id>/logs")
def app_log_link(group_id: str, app_id: str) -> BaseResponse:
    """Open the console's page for the request an app's error named."""
    return redirect(url_for("console.app_request_log", group_id=group_id, app_id=app_id,
                            co_id=_co_id()))


@bp.route("/logs")
def request_log() -> Page:
    """The request a server-wide error link names."""
    return _request_page(None, None, None, None)


@bp.route("/groups/<group_id>/apps/<app_id>/logs")
def app_request_log(group_id: str, app_id: str) -> Page:
    """The app's Logs page; with `co_id`, the entries of that request."""
    try:
        group = admin.group_for(g.admin_key, group_id)
        app = apps.get_app(group, app_id)
    except DomainError:  # gone, or not theirs: the page still says what it can
        return _request_page(None, None, group_id, app_id)
    if "co_id" not in request.args:
        return _logs_page(group, app)
    co_id = _co_id()
    entries = app_logs.entries_of_request(app, co_id) if co_id else []
    if not entries:
        return _request_page(group, app, group_id, app_id)
    page = render_template("console/app_log_entry.html", group=group, app=app,
                           section="logs", co_id=co_id,
                           entries=[app_logs.entry_view(entry, app) for entry in entries])
    return page, 200


def _request_page(group: Group | None, app: App | None, group_id: str | None,
                  app_id: str | None) -> Page:
    co_id = _co_id()
    received = None
    if co_id is not None:
        received = datetime.fromtimestamp(int(co_id[:8], 16), UTC)
    page = render_template("console/request_log.html", co_id=co_id, received=received,
                           group=group, app=app, group_id=group_id, app_id=app_id)
    return page, 200


def _filters() -> dict[str, str]:
    return {name: request.args.get(name, "").strip() for name in FILTERS}


def _logs_page(group: Group, app: App) -> Page:
    filters = _filters()
    context: dict[str, Any] = {"group": group, "app": app, "section": "logs",
                               "filters": filters, "types": SHOWN_TYPES, "error": None,
                               "entries": [], "older": None}
    try:
        # `end` and `skip` come from the previous page's "Older entries" link; `until`
        # is the admin's own end of the range.
        query = app_logs.parse_query(
            errors_only=bool(filters["errors"]), user_id=filters["user"] or None,
            start_date=filters["since"] or None,
            end_date=request.args.get("end") or filters["until"] or None,
            skip=_number(request.args.get("skip")), limit=PAGE_SIZE,
            entry_type=filters["type"] or None)
    except DomainError as error:
        context["error"] = error.message
        return render_template("console/app_logs.html", **context), 400
    found = app_logs.search(app, query)
    context["entries"] = [app_logs.entry_view(entry, app) for entry in found.entries]
    if found.next_end is not None:
        values: dict[str, Any] = {name: value for name, value in filters.items() if value}
        context["older"] = url_for(
            "console.app_request_log", group_id=group.id, app_id=app.id, **values,
            end=app_logs.iso(found.next_end), skip=found.next_skip or None)
    return render_template("console/app_logs.html", **context), 200


def _number(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError("the page to show is not a number") from None
