"""Client API: where the app lives. realm-web sends every later request to `hostname`."""

from __future__ import annotations

from flask import current_app, request

from app.domain import logins
from app.http.client.schemas import LocationSchema
from app.http.docs import errors
from app.http.smorest import ServiceBlueprint

blp = ServiceBlueprint("client-location", __name__, description="Client API: app location")


def public_base_url() -> str:
    """This server's base URL as clients should see it.

    PUBLIC_URL wins; otherwise the request's own URL, which honours a trusted proxy's
    X-Forwarded-* headers when TRUSTED_PROXY_HOPS says there is one. The URL root keeps
    a mount prefix (X-Forwarded-Prefix, SCRIPT_NAME): SDKs append the API path to it.
    """
    configured: str = current_app.config.get("PUBLIC_URL", "")
    return configured or request.url_root.rstrip("/")


@blp.route("/app/<string:client_app_id>/location", methods=["GET"])
@blp.response(200, LocationSchema)
@errors(404)
def location(client_app_id: str) -> dict[str, str]:
    """Tell the SDK where to send its requests for this app."""
    app = logins.app_by_client_id(client_app_id)
    hostname = public_base_url()
    ws_hostname = "ws" + hostname[len("http"):] if hostname.startswith("http") else hostname
    return {"deployment_model": app.deployment_model, "location": app.location,
            "hostname": hostname, "ws_hostname": ws_hostname}
