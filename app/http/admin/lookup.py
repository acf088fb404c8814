"""Finding the group and app named in an Admin API path, for the logged-in admin."""

from __future__ import annotations

from flask import g

from app.domain import admin, apps
from app.http import app_log
from app.models import App


def app_for(group_id: str, app_id: str) -> App:
    """Return the app if the admin may reach it; any other app does not exist for them."""
    group = admin.group_for(g.admin_key, group_id)
    app = apps.get_app(group, app_id)
    app_log.note(app=app)  # a request that makes an app log entry makes it for this app
    return app
