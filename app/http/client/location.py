"""Client API: where the app lives. realm-web sends every later request to `hostname`."""

from __future__ import annotations

from flask import request

from app.domain import logins
from app.domain.errors import InvalidParameter
from app.http.client.schemas import LocationSchema
from app.http.openapi_doc import errors
from app.http.smorest import ServiceBlueprint
from app.http.urls import trusted_base_url

blp = ServiceBlueprint("client-location", __name__, description="Client API: app location")


def public_base_url() -> str:
    """This server's base URL as clients should see it (see `app.http.urls`).

    SDKs send every later call (credentials included) to this URL, so a Host header that
    ALLOWED_HOSTS does not name is refused rather than echoed: a hostile one, or a cache
    that kept an answer to one, would otherwise send them to another server.
    """
    base = trusted_base_url()
    if base is None:
        raise InvalidParameter(
            f"this server does not know itself as {request.host!r}, so it cannot tell SDKs "
            "where to connect; its operator sets PUBLIC_URL to the address clients use "
            "(or lists the host name in ALLOWED_HOSTS)"
        )
    return base


@blp.route("/app/<string:clientAppId>/location", methods=["GET"],
           operation_id="clientGetLocation")
@blp.response(200, LocationSchema)
@errors(400, 404)
def location(clientAppId: str) -> dict[str, str]:
    """Tell the SDK where to send its requests for this app."""
    app = logins.app_by_client_id(clientAppId)
    hostname = public_base_url()
    ws_hostname = "ws" + hostname[len("http"):] if hostname.startswith("http") else hostname
    return {"deployment_model": app.deployment_model, "location": app.location,
            "hostname": hostname, "ws_hostname": ws_hostname}
