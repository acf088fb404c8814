"""The Client API client every test uses: what a Realm SDK sends, over either transport.

`ClientApi(InProcess(client))` in tests/api (through `ClientApp`, tests/support/
client_actions.py), `ClientApi(deployment)` in tests/reliability, `ClientApi(Live(url))`
for bench seeding. Calls return the transport's response unchecked.
"""

from __future__ import annotations

from typing import Any, Generic

from tests.support.http import CLIENT_BASE, TEST_PASSWORD, R, Transport, bearer


class ClientApi(Generic[R]):
    """Requests to the Client API v2; paths start after /api/client/v2.0."""

    def __init__(self, http: Transport[R]) -> None:
        self.http = http

    def request(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                headers: dict[str, str] | None = None, **route: Any) -> R:
        """Send a request, with `token` as its bearer token when given (even empty)."""
        sent = {**(bearer(token) if token is not None else {}), **(headers or {})}
        return self.http.request(method, CLIENT_BASE + path, headers=sent, json=json, **route)

    def login(self, client_app_id: str, provider: str, credentials: dict[str, Any], *,
              device: dict[str, Any] | None = None, link_with: str | None = None,
              headers: dict[str, str] | None = None, **route: Any) -> R:
        """Log in as realm-web does: credentials at top level, the device in options;
        `link_with` (an access token) links the identity to that token's user."""
        path = f"/app/{client_app_id}/auth/providers/{provider}/login"
        if link_with is not None:
            path += "?link=true"
        return self.request("POST", path, token=link_with, headers=headers, **route,
                            json={**credentials, "options": {"device": device or {}}})

    def register(self, client_app_id: str, email: str, password: str = TEST_PASSWORD,
                 **route: Any) -> R:
        return self.request(
            "POST", f"/app/{client_app_id}/auth/providers/local-userpass/register",
            json={"email": email, "password": password}, **route)

    def create_user_key(self, refresh_token: str, name: str, **route: Any) -> R:
        """Create a user key with the refresh token, as realm-web does."""
        return self.request("POST", "/auth/api_keys", token=refresh_token,
                            json={"name": name}, **route)
