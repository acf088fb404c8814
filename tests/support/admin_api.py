"""The Admin API client every test uses: an admin logged in with a key pair.

Over either transport (tests/support/http.py): `AdminApi(InProcess(client), ...)` in
tests/api, `AdminApi(Live(base_url))` against a live server (acceptance, cli, interop,
notebooks, bench) or `AdminApi(deployment)` across several (reliability). Calls return the
transport's response unchecked, so a test asserts what it is about; the set-up shortcuts
(`create_app`, `enable_provider`, ...) assert their own success.
"""

from __future__ import annotations

import copy
from typing import Any, Generic, Self

import requests

from tests.support.http import ADMIN_BASE, ADMIN_LOGIN, R, Transport, bearer, body_of, text_of
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY


class AdminApi(Generic[R]):
    """An admin of the Admin API v3; `log_in()` before calling anything else."""

    def __init__(self, http: Transport[R], public_key: str = ADMIN_PUBLIC_KEY,
                 private_key: str = ADMIN_PRIVATE_KEY) -> None:
        self.http = http
        self.public_key = public_key
        self.private_key = private_key
        self.access_token = ""
        self.refresh_token = ""
        self.group_id = ""
        self.extra_headers: dict[str, str] = {}  # sent with every call besides the token

    def log_in(self, **route: Any) -> Self:
        """Log in (again: after the clock moved, the old access token has expired).

        `route` goes with the login request alone (`server=` of the reliability tests)."""
        response = self.http.request(
            "POST", ADMIN_LOGIN,
            json={"username": self.public_key, "apiKey": self.private_key}, **route,
        )
        assert _status(response) == 200, f"the admin could not log in: {text_of(response)}"
        self.access_token = body_of(response)["access_token"]
        self.refresh_token = body_of(response)["refresh_token"]
        profile = self.get("/auth/profile")
        assert _status(profile) == 200, text_of(profile)
        self.group_id = body_of(profile)["roles"][0]["group_id"]
        return self

    def through(self, http: Transport[R]) -> AdminApi[R]:
        """The same admin, still logged in, sending through `http` (another app object
        on the same database, say, after a restart)."""
        moved = copy.copy(self)
        moved.http = http
        moved.extra_headers = dict(self.extra_headers)
        return moved

    # --- requests, `path` after /api/admin/v3.0 -----------------------------------------

    def request(self, method: str, path: str, *, json: Any = None, token: str | None = None,
                params: dict[str, str] | None = None, **route: Any) -> R:
        """Send a request with the admin's access token (or `token`)."""
        headers = {**bearer(token or self.access_token), **self.extra_headers}
        return self.http.request(method, ADMIN_BASE + path, headers=headers, json=json,
                                 params=params, **route)

    def get(self, path: str, **options: Any) -> R:
        return self.request("GET", path, **options)

    def post(self, path: str, json: Any = None, **options: Any) -> R:
        return self.request("POST", path, json=json, **options)

    def put(self, path: str, json: Any = None, **options: Any) -> R:
        return self.request("PUT", path, json=json, **options)

    def patch(self, path: str, json: Any = None, **options: Any) -> R:
        return self.request("PATCH", path, json=json, **options)

    def delete(self, path: str, **options: Any) -> R:
        return self.request("DELETE", path, **options)

    def group(self, method: str, path: str, json: Any = None, **options: Any) -> R:
        """Send a request to a path under /groups/{groupId}."""
        return self.request(method, f"/groups/{self.group_id}{path}", json=json, **options)

    def ok(self, method: str, path: str, json: Any = None, **options: Any) -> Any:
        """`group(...)` that must succeed; return its JSON body (None when empty)."""
        response = self.group(method, path, json, **options)
        assert _status(response) < 300, f"{method} {path}: {text_of(response)}"
        return body_of(response) if text_of(response) else None

    # --- set-up shortcuts -----------------------------------------------------------------

    @property
    def apps_path(self) -> str:
        return f"/groups/{self.group_id}/apps"

    def app_path(self, app_id: str) -> str:
        return f"{self.apps_path}/{app_id}"

    def create_app(self, name: str = "myapp", **route: Any) -> dict[str, Any]:
        response = self.post(self.apps_path, json={"name": name}, **route)
        assert _status(response) == 201, text_of(response)
        body: dict[str, Any] = body_of(response)
        return body

    def fresh_app(self, name: str) -> dict[str, Any]:
        """Create the app `name`, first deleting one left by an earlier run."""
        for existing in self.ok("GET", "/apps"):
            if existing["name"] == name:
                self.ok("DELETE", f"/apps/{existing['_id']}")
        return self.create_app(name)

    def apps(self) -> list[dict[str, Any]]:
        apps: list[dict[str, Any]] = self.ok("GET", "/apps")
        return apps

    def listed_providers(self, app_id: str, **route: Any) -> list[dict[str, Any]]:
        """The app's providers, as listed (without their configuration)."""
        listed: list[dict[str, Any]] = self._read(f"{self.app_path(app_id)}/auth_providers",
                                                  **route)
        return listed

    def provider(self, app_id: str, provider_type: str, **route: Any) -> dict[str, Any]:
        """The app's provider of `provider_type`, as listed."""
        return next(p for p in self.listed_providers(app_id, **route)
                    if p["type"] == provider_type)

    def providers(self, app_id: str) -> dict[str, dict[str, Any]]:
        """The app's providers with their configuration, keyed by type."""
        return {summary["type"]: self.ok("GET", f"/apps/{app_id}/auth_providers/{summary['_id']}")
                for summary in self.listed_providers(app_id)}

    def add_provider(self, app_id: str, provider_type: str, **fields: Any) -> dict[str, Any]:
        """Add a provider of `provider_type` with `fields` (config, disabled, ...)."""
        added: dict[str, Any] = self.ok("POST", f"/apps/{app_id}/auth_providers",
                                        {"type": provider_type, **fields})
        return added

    def enable_api_keys(self, app_id: str, **route: Any) -> None:
        self.enable_provider(app_id, "api-key", **route)

    def enable_provider(self, app_id: str, provider_type: str,
                        config: dict[str, Any] | None = None, **route: Any) -> None:
        """Enable the app's provider of `provider_type`, adding it when it is absent
        (local-userpass then confirms users automatically unless `config` says otherwise)."""
        listed = self.listed_providers(app_id, **route)
        provider = next((p for p in listed if p["type"] == provider_type), None)
        if provider is not None:
            response = self.put(
                f"{self.app_path(app_id)}/auth_providers/{provider['_id']}/enable", **route)
            assert _status(response) == 204, text_of(response)
            return
        if config is None:
            config = {"autoConfirm": True} if provider_type == "local-userpass" else {}
        response = self.post(f"{self.app_path(app_id)}/auth_providers",
                             json={"type": provider_type, "config": config}, **route)
        assert _status(response) == 201, text_of(response)

    def create_server_key(self, app_id: str, name: str, **route: Any) -> R:
        return self.post(f"{self.app_path(app_id)}/api_keys", json={"name": name}, **route)

    def new_server_key(self, app_id: str, name: str, **route: Any) -> dict[str, Any]:
        """Create a server key; return `{_id, key, name, disabled}` (the value only here)."""
        response = self.create_server_key(app_id, name, **route)
        assert _status(response) == 201, text_of(response)
        key: dict[str, Any] = body_of(response)
        return key

    def server_keys(self, app_id: str, **route: Any) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = self._read(f"{self.app_path(app_id)}/api_keys", **route)
        return keys

    def users(self, app_id: str, **route: Any) -> list[dict[str, Any]]:
        """Every user of the app, following the Admin API's pages."""
        found: list[dict[str, Any]] = []
        while page := self._read(f"{self.app_path(app_id)}/users",
                                 params={"after": found[-1]["_id"]} if found else {}, **route):
            found.extend(page)
        return found

    def logs_page(self, app_id: str, **params: Any) -> dict[str, Any]:
        """One page of the app's log (`GET .../logs`); `params` are its query (True: a flag
        sent as `name=true`)."""
        query = {name: "true" if value is True else str(value)
                 for name, value in params.items() if value is not None}
        page: dict[str, Any] = self._read(f"{self.app_path(app_id)}/logs", params=query)
        return page

    def logs(self, app_id: str, **params: Any) -> list[dict[str, Any]]:
        """Every entry of the app's log matching `params`, newest first, following the
        pages as the original's document says (`nextEndDate` -> `end_date`, `nextSkip` ->
        `skip`)."""
        found: list[dict[str, Any]] = []
        page = self.logs_page(app_id, **params)
        found.extend(page["logs"])
        while "nextEndDate" in page:
            page = self.logs_page(app_id, **{**params, "end_date": page["nextEndDate"],
                                             "skip": page.get("nextSkip")})
            found.extend(page["logs"])
        return found

    def _read(self, path: str, **options: Any) -> Any:
        """GET `path`, which must answer 200; return the body."""
        response = self.get(path, **options)
        assert _status(response) == 200, f"GET {path}: {text_of(response)}"
        return body_of(response)


def _status(response: Any) -> int:
    status: int = response.status_code
    return status


LiveAdmin = AdminApi[requests.Response]
