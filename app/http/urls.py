"""This server's own base URL, as far as it can be believed.

Two answers are built from it: the Client API's location (SDKs send every later call,
credentials included, to it) and the `link` of every error (people open it). Neither may
carry a Host header that nobody vouched for: anyone can send one, and a cache may keep the
answer made for it.
"""

from __future__ import annotations

from flask import current_app, request

from app.config import host_name, host_names


def trusted_base_url() -> str | None:
    """This server's base URL as clients should see it, or None when it cannot be told.

    PUBLIC_URL wins; otherwise the request's own URL, which honours a trusted proxy's
    X-Forwarded-* headers when TRUSTED_PROXY_HOPS says there is one. The URL root keeps
    a mount prefix (X-Forwarded-Prefix, SCRIPT_NAME): SDKs append the API path to it.
    The request's host is believed only when ALLOWED_HOSTS names it.
    """
    configured: str = current_app.config.get("PUBLIC_URL", "")
    if configured:
        return configured
    name = host_name(request.host)
    if name is None or name not in host_names(current_app.config["ALLOWED_HOSTS"]):
        return None
    return request.url_root.rstrip("/")
