"""A small client of the Admin API v3, for the commands.

It keeps the base URL and the session's two tokens. When a call answers 401
`InvalidSession` (the access token expired, or was revoked or damaged), it gets a new
access token with the refresh token and tries the call once more, silently. It cannot log
in again by itself: the private key is never kept. When the refresh token is no good
either, the user is told to run `appservices login` again.

Every failure becomes a `click.ClickException` of one line, so the command prints
`Error: <message> (<error_code>)` and exits non-zero, never with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import click
import requests

ADMIN_API = "/api/admin/v3.0"
CLIENT_API = "/api/client/v2.0"
TIMEOUT_SECONDS = 30.0
DEFAULT_URL = "http://127.0.0.1:8080"


class ApiError(click.ClickException):
    """The server refused a call; `message` is its own, with the error code."""

    def __init__(self, status: int, message: str, error_code: str = "") -> None:
        super().__init__(f"{message} ({error_code})" if error_code else message)
        self.status = status
        self.server_message = message
        self.error_code = error_code


class SessionEnded(click.ClickException):
    """Neither token works any more: only a new login helps."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    user_id: str


def normalise_url(url: str) -> str:
    """Return the server's base URL: scheme and host, without a trailing slash or API path.

    `http://host:8080/api/admin/v3.0/` is accepted as `http://host:8080`: people paste
    the address they use with curl.
    """
    url = url.strip().rstrip("/")
    for suffix in (ADMIN_API, CLIENT_API):
        if url.endswith(suffix):
            url = url[: -len(suffix)].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise click.BadParameter(
            f"{url!r} is not an http:// or https:// URL (e.g. {DEFAULT_URL})",
            param_hint="'--url'",
        )
    return url


class AdminClient:
    """Calls the Admin API of one server on behalf of one admin session."""

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str = "",
        refresh_token: str = "",
        on_refresh: Callable[[str], None] | None = None,
        login_hint: str = "appservices login",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.refresh_token = refresh_token
        self._on_refresh = on_refresh
        self._login_hint = login_hint
        self._http = requests.Session()

    # --- sessions ------------------------------------------------------------------

    def login(self, public_key: str, private_key: str) -> Tokens:
        """Open a session with an admin key pair; keep and return its tokens."""
        body = self._send("POST", "/auth/providers/mongodb-cloud/login", token=None,
                          json={"username": public_key, "apiKey": private_key})
        try:
            tokens = Tokens(str(body["access_token"]), str(body["refresh_token"]),
                            str(body.get("user_id", "")))
        except (KeyError, TypeError):
            raise self._not_this_service() from None
        self.access_token = tokens.access_token
        self.refresh_token = tokens.refresh_token
        return tokens

    def refresh(self) -> str:
        """Get a new access token with the refresh token, or say to log in again."""
        if not self.refresh_token:
            raise SessionEnded(f"not logged in: run `{self._login_hint}`")
        try:
            body = self._send("POST", "/auth/session", token=self.refresh_token)
        except ApiError as error:
            if error.status != 401:
                raise
            raise SessionEnded(
                f"your session has ended ({error.server_message}): the private key is not "
                f"kept, so log in again with `{self._login_hint}`"
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise self._not_this_service()
        self.access_token = body["access_token"]
        if self._on_refresh is not None:
            self._on_refresh(self.access_token)
        return self.access_token

    def logout(self) -> None:
        """End the session on the server (its refresh token and access tokens stop working)."""
        self._send("DELETE", "/auth/session", token=self.refresh_token)

    # --- calls -----------------------------------------------------------------------

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, str] | None = None) -> Any:
        """Call `path` (under the Admin API base) with the access token; refresh once on 401."""
        if not self.access_token and not self.refresh_token:
            raise SessionEnded(f"not logged in: run `{self._login_hint}`")
        try:
            return self._send(method, path, token=self.access_token, json=json, params=params)
        except ApiError as error:
            if error.status != 401 or error.error_code != "InvalidSession":
                raise
        self.refresh()
        try:
            return self._send(method, path, token=self.access_token, json=json, params=params)
        except ApiError as error:
            if error.status == 401 and error.error_code == "InvalidSession":
                raise SessionEnded(
                    f"your session has ended ({error.server_message}): log in again with "
                    f"`{self._login_hint}`"
                ) from None
            raise

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Any:
        return self.request("POST", path, json=json)

    def put(self, path: str) -> Any:
        return self.request("PUT", path)

    def patch(self, path: str, json: Any = None) -> Any:
        return self.request("PATCH", path, json=json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    # --- the wire ----------------------------------------------------------------------

    def _send(self, method: str, path: str, *, token: str | None, json: Any = None,
              params: Mapping[str, str] | None = None) -> Any:
        url = f"{self.base_url}{ADMIN_API}{path}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._http.request(method, url, json=json, params=params,
                                          headers=headers, timeout=TIMEOUT_SECONDS)
        except requests.ConnectionError:
            raise click.ClickException(
                f"cannot reach {self.base_url}: is the server running?"
            ) from None
        except requests.Timeout:
            raise click.ClickException(
                f"{self.base_url} did not answer within {TIMEOUT_SECONDS:.0f} seconds"
            ) from None
        except requests.RequestException as error:
            raise click.ClickException(f"cannot call {url}: {error}") from None
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise self._not_this_service() from None

    def _error(self, response: requests.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            code = body.get("error_code")
            return ApiError(response.status_code, body["error"],
                            code if isinstance(code, str) else "")
        reason = f" {response.reason}" if response.reason else ""
        return ApiError(response.status_code,
                        f"HTTP {response.status_code}{reason} from {response.url}")

    def _not_this_service(self) -> click.ClickException:
        return click.ClickException(
            f"{self.base_url} did not answer like an App Services Admin API: "
            "is --url the address of appservices-auth?"
        )

