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

import pytest
import requests
from pytest_bdd import parsers

from tests.support.admin_api import LiveAdmin
from tests.support.client_api import ClientApi
from tests.support.http import CLOCK, TEST_PASSWORD, Live

PASSWORD = TEST_PASSWORD


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


@dataclass
class Key:
    """An API key as the scenario knows it: its value was copied at creation."""

    name: str
    id: str
    value: str
    kind: Literal["server", "user"]
    owner: str = ""  # the owner's email, for user keys
    created_at: int = 0  # index in Live.history of the response that created it


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

    http: Live  # keeps every response, in order (see `Key.created_at`)
    admin: LiveAdmin
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
        created = self.admin.create_app(f"acc-{uuid.uuid4().hex[:12]}")
        self.app_id = created["_id"]
        self.client_app_id = created["client_app_id"]

    def app_call(self, method: str, path: str = "", json: Any = None,
                 params: dict[str, str] | None = None) -> requests.Response:
        """Call a path under the scenario's app in the Admin API."""
        return self.admin.group(method, f"/apps/{self.app_id}{path}", json, params=params)

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
        return self.admin.server_keys(self.app_id)

    def users(self) -> list[dict[str, Any]]:
        """Return every user of the app, following the Admin API's pages."""
        return self.admin.users(self.app_id)

    def server_user_of(self, name: str) -> dict[str, Any]:
        """Return the server user whose api-key identity is the key called `name`."""
        key_id = self.keys[name].id
        found = [user for user in self.users()
                 if any(i["provider_type"] == "api-key" and i["id"] == key_id
                        for i in user["identities"])]
        assert len(found) == 1, f"expected one user for the {name!r} key, found {found}"
        assert found[0]["type"] == "server", found[0]
        return found[0]

    # --- the server's test clock ----------------------------------------------------

    def require_test_clock(self) -> None:
        """Put the server's clock at real time; fail the scenario if it has no test clock."""
        response = self.http.request("POST", CLOCK, json={"reset": True})
        if response.status_code == 404:
            pytest.fail(
                f"this scenario moves the server's clock, and {self.http.base_url} has no test "
                f"clock (POST {CLOCK} answered 404): start that server with "
                "APPSERVICES_TEST_CLOCK=1, or leave out the scenarios that move the clock "
                "(key lifetime: -m 'not S3')",
                pytrace=False,
            )
        assert response.status_code == 200, response.text
        self.clock_moved = True  # from here on, put it back after the scenario

    def move_clock(self, seconds: int) -> None:
        response = self.http.request("POST", CLOCK, json={"advance_seconds": seconds})
        assert response.status_code == 200, response.text
        self.admin.log_in()  # the admin's own access token lasts 30 minutes too

    # --- the client side -----------------------------------------------------------

    def client_call(self, method: str, path: str, *, token: str | None = None,
                    json: Any = None) -> requests.Response:
        """Call the Client API v2 as an SDK would."""
        return ClientApi(self.http).request(method, path, token=token or None, json=json)

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
