"""Admin API v3 blueprints."""

from __future__ import annotations

from app.http.admin import (
    api_keys,
    apps,
    auth_providers,
    logs,
    security,
    session,
    signing_keys,
    user_registrations,
    users,
)
from app.http.smorest import ServiceApi

BASE = "/api/admin/v3.0"


def init_app(api: ServiceApi) -> None:
    """Register every Admin API blueprint under its base path."""
    for module in (session, apps, auth_providers, api_keys, users, user_registrations,
                   security, signing_keys, logs):
        api.register_blueprint(module.blp, url_prefix=BASE)
