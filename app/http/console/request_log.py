"""The page an error's `link` opens: which request it was, until app logs exist.

The original's errors link to the app's log entry for the request
(`/groups/{groupId}/apps/{appId}/logs?co_id=...`, at the server's root). This server keeps
no per-request entries yet, so the page names what is known: the correlation id, when the
request arrived (an id's first four bytes are its time), and the app. It is never a 404:
an admin who follows an SDK's link learns what the link means even for an app they
cannot see. The same correlation id ends the request's line in the access log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.domain import admin, apps
from app.domain.errors import DomainError
from app.domain.ids import is_object_id
from app.http.console.blueprint import bp

# The link's own path, at the server root as in the original: it leads into the console.
links = Blueprint("log_links", __name__)

Page = tuple[str, int]


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
    return _page(None, None)


@bp.route("/groups/<group_id>/apps/<app_id>/logs")
def app_request_log(group_id: str, app_id: str) -> Page:
    """The request an app's error link names, with the app when the admin may see it."""
    return _page(group_id, app_id)


def _page(group_id: str | None, app_id: str | None) -> Page:
    co_id = _co_id()
    received = None
    if co_id is not None:
        received = datetime.fromtimestamp(int(co_id[:8], 16), UTC)
    group = app = None
    if group_id is not None and app_id is not None:
        try:
            group = admin.group_for(g.admin_key, group_id)
            app = apps.get_app(group, app_id)
        except DomainError:  # gone, or not theirs: the page still says what it can
            group = app = None
    page = render_template("console/request_log.html", co_id=co_id, received=received,
                           group=group, app=app, group_id=group_id, app_id=app_id)
    return page, 200
