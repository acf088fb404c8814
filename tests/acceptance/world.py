"""What one scenario knows, and the plain HTTP it speaks to learn it.

Black-box on purpose: nothing here imports the service. Every call is a `requests` call
to a base URL, so the scenarios run unchanged against the suite's own servers or against
any deployment (`--base-url`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import requests
from pytest_bdd import parsers

ADMIN = "/api/admin/v3.0"
CLIENT = "/api/client/v2.0"
CLOCK = "/_testing/clock"
PASSWORD = "correct-horse-battery"
TIMEOUT_SECONDS = 30
USERS_PAGE = 50  # the Admin API's page size for users


class _Quoted:
    """A `parse` field type: what stands between two double quotes."""

    pattern = r'[^"]*'

    def __call__(self, text: str) -> str:
        return text


def pattern(text: str) -> parsers.parse:
    """A step pattern in which each `"{field}"` matches one double-quoted value, never more.

    So `"{email}" disables the "{name}" key` cannot swallow `the admin disables ...`, and
    two patterns that differ after a quoted value never both match one step.
    """
    return parsers.parse(re.sub(r'"\{(\w+)\}"', r'"{\1:Quoted}"', text),
                         extra_types={"Quoted": _Quoted()})


class Http:
    """Sends requests to one deployment and keeps every response, in order.

    The history lets a step check that no response after a key's creation ever
    repeated its value.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.history: list[requests.Response] = []
        self._session = requests.Session()

    def request(self, method: str, path: str, *, token: str | None = None,
                json: Any = None, params: dict[str, str] | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self._session.request(method, self.base_url + path, json=json,
                                         params=params, headers=headers,
                                         timeout=TIMEOUT_SECONDS)
        self.history.append(response)
        return response

    def close(self) -> None:
        self._session.close()


class AdminApi:
    """An admin logged in to the Admin API v3 with a public/private key pair."""

    def __init__(self, http: Http, public_key: str, private_key: str) -> None:
        self.http = http
        self.public_key = public_key
        self.private_key = private_key
        self.access_token = ""
        self.group_id = ""

    def log_in(self) -> None:
        """Log in (again: after the clock moved, the old access token has expired)."""
        response = self.http.request(
            "POST", f"{ADMIN}/auth/providers/mongodb-cloud/login",
            json={"username": self.public_key, "apiKey": self.private_key},
        )
        assert response.status_code == 200, (
            f"the admin could not log in to {self.http.base_url}: {response.status_code} "
            f"{response.text}"
        )
        self.access_token = response.json()["access_token"]
        profile = self.http.request("GET", f"{ADMIN}/auth/profile", token=self.access_token)
        assert profile.status_code == 200, profile.text
        self.group_id = profile.json()["roles"][0]["group_id"]

    def call(self, method: str, path: str, json: Any = None,
             params: dict[str, str] | None = None) -> requests.Response:
        """Call a path under /groups/{groupId} with the admin's access token."""
        return self.http.request(method, f"{ADMIN}/groups/{self.group_id}{path}",
                                 token=self.access_token, json=json, params=params)


@dataclass
class Key:
    """An API key as the scenario knows it: its value was copied at creation."""

    name: str
    id: str
    value: str
    kind: Literal["server", "user"]
    owner: str = ""  # the owner's email, for user keys
    created_at: int = 0  # index in Http.history of the response that created it


@dataclass
class Session:
    """The tokens of one client login."""

    user_id: str
    access_token: str
    refresh_token: str

    @classmethod
    def from_login(cls, response: requests.Response) -> Session:
        body = response.json()
        return cls(body["user_id"], body["access_token"], body["refresh_token"])


@dataclass
class World:
    """Everything one scenario has made and seen. Each scenario has its own app."""

    http: Http
    admin: AdminApi
    app_id: str = ""
    client_app_id: str = ""
    keys: dict[str, Key] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)  # by email / "anonymous"
    user_ids: dict[str, str] = field(default_factory=dict)  # by email
    response: requests.Response | None = None  # the last call a step made
    earlier_session: Session | None = None  # a key login made before the action under test
    latest_session: Session | None = None  # the last successful key login
    clock_moved: bool = False

    # --- the app -------------------------------------------------------------------

    def create_app(self) -> None:
        """Create an app with a unique name, so that scenarios never see each other."""
        response = self.admin.call("POST", "/apps",
                                   json={"name": f"acc-{uuid.uuid4().hex[:12]}"})
        assert response.status_code == 201, response.text
        self.app_id = response.json()["_id"]
        self.client_app_id = response.json()["client_app_id"]

    def app_call(self, method: str, path: str = "", json: Any = None,
                 params: dict[str, str] | None = None) -> requests.Response:
        """Call a path under the scenario's app in the Admin API."""
        return self.admin.call(method, f"/apps/{self.app_id}{path}", json=json, params=params)

    def provider(self, provider_type: str) -> dict[str, Any]:
        """Return the app's provider of `provider_type`, with its configuration."""
        listed = self.app_call("GET", "/auth_providers")
        assert listed.status_code == 200, listed.text
        summary = next((p for p in listed.json() if p["type"] == provider_type), None)
        assert summary is not None, f"the app has no {provider_type!r} provider: {listed.text}"
        response = self.app_call("GET", f"/auth_providers/{summary['_id']}")
        assert response.status_code == 200, response.text
        provider: dict[str, Any] = response.json()
        return provider

    def server_keys(self) -> list[dict[str, Any]]:
        response = self.app_call("GET", "/api_keys")
        assert response.status_code == 200, response.text
        keys: list[dict[str, Any]] = response.json()
        return keys

    def users(self) -> list[dict[str, Any]]:
        """Return every user of the app, following the Admin API's pages."""
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {}
        while True:
            response = self.app_call("GET", "/users", params=params)
            assert response.status_code == 200, response.text
            page: list[dict[str, Any]] = response.json()
            found.extend(page)
            if len(page) < USERS_PAGE:
                return found
            params = {"after": page[-1]["_id"]}

    def server_user_of(self, name: str) -> dict[str, Any]:
        """Return the server user whose api-key identity is the key called `name`."""
        key_id = self.keys[name].id
        found = [user for user in self.users()
                 if any(i["provider_type"] == "api-key" and i["id"] == key_id
                        for i in user["identities"])]
        assert len(found) == 1, f"expected one user for the {name!r} key, found {found}"
        assert found[0]["type"] == "server", found[0]
        return found[0]

    # --- the client side -----------------------------------------------------------

    def client_call(self, method: str, path: str, *, token: str | None = None,
                    json: Any = None) -> requests.Response:
        """Call the Client API v2 as an SDK would."""
        return self.http.request(method, CLIENT + path, token=token, json=json)

    def log_in(self, provider: str, credentials: dict[str, str]) -> requests.Response:
        return self.client_call(
            "POST", f"/app/{self.client_app_id}/auth/providers/{provider}/login",
            json=credentials,
        )

    def log_in_with_key(self, name: str) -> requests.Response:
        """Log in with the value of the key called `name`, as copied at its creation."""
        response = self.log_in("api-key", {"key": self.keys[name].value})
        if response.status_code == 200:
            self.latest_session = Session.from_login(response)
        return response

    def profile(self, session: Session) -> requests.Response:
        return self.client_call("GET", "/auth/profile", token=session.access_token)

    def remember_key(self, response: requests.Response, kind: Literal["server", "user"],
                     owner: str = "") -> None:
        """Keep a newly created key, with the value only this response carries."""
        body = response.json()
        self.keys[body["name"]] = Key(body["name"], body["_id"], body["key"], kind, owner,
                                      created_at=len(self.http.history) - 1)
