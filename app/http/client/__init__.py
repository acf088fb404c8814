"""Client API v2 blueprints: what the Realm SDKs call."""

from __future__ import annotations

from app.http.client import api_keys, location, login, session
from app.http.smorest import ServiceApi

BASE = "/api/client/v2.0"


def init_app(api: ServiceApi) -> None:
    """Register every Client API blueprint under its base path."""
    for module in (location, login, session, api_keys):
        api.register_blueprint(module.blp, url_prefix=BASE)
