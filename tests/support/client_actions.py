"""What a Realm SDK does against the Client API, for tests: log in, register, send tokens.

`ClientApp` is one app seen from both sides: by an SDK through its client App ID, and by
its admin (for set-up and for checking what the server kept) through its `_id`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock
from tests.support.app import InProcessAdmin, new_admin
from tests.support.client_api import ClientApi
from tests.support.http import CLIENT_BASE, TEST_PASSWORD, InProcess
from tests.support.wire import assert_json

PASSWORD = TEST_PASSWORD
ALL_PROVIDERS = ("api-key", "anon-user", "local-userpass")


@dataclass(frozen=True)
class Tokens:
    """What a successful login returns."""

    access_token: str
    refresh_token: str
    user_id: str
    device_id: str

    @classmethod
    def from_response(cls, response: TestResponse) -> Tokens:
        """Read a 200 login response."""
        body = assert_json(response, 200)
        return cls(body["access_token"], body["refresh_token"], body["user_id"],
                   body["device_id"])


@dataclass
class ClientApp:
    """An app as an SDK (client App ID) and as its admin (`_id`) see it."""

    client: FlaskClient
    admin: InProcessAdmin
    app_id: str
    client_app_id: str

    @classmethod
    def create(cls, client: FlaskClient, admin: InProcessAdmin, name: str = "clientapp",
               providers: tuple[str, ...] = ALL_PROVIDERS) -> ClientApp:
        """Create an app with `providers` enabled (local-userpass auto-confirms)."""
        created = admin.create_app(name)
        app = cls(client, admin, created["_id"], created["client_app_id"])
        for provider_type in providers:
            if provider_type == "api-key":
                admin.enable_api_keys(app.app_id)
            else:
                app.add_provider(provider_type)
        return app

    # --- the admin's side -------------------------------------------------------------

    @property
    def admin_path(self) -> str:
        return self.admin.app_path(self.app_id)

    def add_provider(self, provider_type: str, *, disabled: bool = False,
                     config: dict[str, Any] | None = None) -> dict[str, Any]:
        """Add a provider; local-userpass auto-confirms unless `config` says otherwise."""
        if config is None:
            config = {"autoConfirm": True} if provider_type == "local-userpass" else {}
        response = self.admin.post(f"{self.admin_path}/auth_providers", json={
            "type": provider_type, "disabled": disabled, "config": config,
        })
        body: dict[str, Any] = assert_json(response, 201)
        return body

    def set_provider_disabled(self, provider_type: str, disabled: bool) -> None:
        provider = self.admin.provider(self.app_id, provider_type)
        action = "disable" if disabled else "enable"
        response = self.admin.put(
            f"{self.admin_path}/auth_providers/{provider['_id']}/{action}"
        )
        assert response.status_code == 204, response.json

    def delete_provider(self, provider_type: str) -> None:
        provider = self.admin.provider(self.app_id, provider_type)
        response = self.admin.delete(f"{self.admin_path}/auth_providers/{provider['_id']}")
        assert response.status_code == 204, response.json

    def create_server_key(self, name: str = "server-key") -> dict[str, Any]:
        """Create a server key through the Admin API; return `{_id, key, name, disabled}`."""
        body: dict[str, Any] = assert_json(self.admin.create_server_key(self.app_id, name), 201)
        return body

    def admin_user(self, user_id: str) -> TestResponse:
        """The user as the Admin API shows it."""
        return self.admin.get(f"{self.admin_path}/users/{user_id}")

    # --- the SDK's side ---------------------------------------------------------------

    @property
    def api(self) -> ClientApi[TestResponse]:
        """The Client API, through this app's test client."""
        return ClientApi(InProcess(self.client))

    def app_url(self, path: str) -> str:
        """A path under `/app/{client_app_id}` of the Client API."""
        return f"{CLIENT_BASE}/app/{self.client_app_id}{path}"

    def login(self, provider: str, credentials: dict[str, Any], *,
              device: dict[str, Any] | None = None, link_with: str | None = None,
              headers: dict[str, str] | None = None) -> TestResponse:
        """Send a login as realm-web does: credentials at top level, device in options."""
        return self.api.login(self.client_app_id, provider, credentials, device=device,
                              link_with=link_with, headers=headers)

    def login_with_key(self, key: str) -> Tokens:
        return Tokens.from_response(self.login("api-key", {"key": key}))

    def login_anonymously(self) -> Tokens:
        return Tokens.from_response(self.login("anon-user", {}))

    def register(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.api.register(self.client_app_id, email, password)

    def login_with_password(self, email: str, password: str = PASSWORD) -> Tokens:
        return Tokens.from_response(
            self.login("local-userpass", {"username": email, "password": password})
        )

    def link_password(self, tokens: Tokens, email: str, password: str = PASSWORD) -> Tokens:
        """Register `email` and link it to the user of `tokens` (an SDK's `linkCredentials`)."""
        self.register(email, password)
        return Tokens.from_response(self.login(
            "local-userpass", {"username": email, "password": password},
            link_with=tokens.access_token,
        ))

    def register_and_login(self, email: str, password: str = PASSWORD) -> Tokens:
        """Register an email/password user and log it in (the first login creates it)."""
        response = self.register(email, password)
        assert response.status_code == 201, response.get_data(as_text=True)
        return self.login_with_password(email, password)

    # --- calls with a token, paths under CLIENT_BASE ---------------------------------

    def get(self, path: str, token: str) -> TestResponse:
        return self.api.request("GET", path, token=token)

    def post(self, path: str, token: str, json: Any = None) -> TestResponse:
        return self.api.request("POST", path, token=token, json=json)

    def put(self, path: str, token: str) -> TestResponse:
        return self.api.request("PUT", path, token=token)

    def delete(self, path: str, token: str) -> TestResponse:
        return self.api.request("DELETE", path, token=token)

    def profile(self, tokens: Tokens) -> TestResponse:
        return self.get("/auth/profile", tokens.access_token)

    def create_user_key(self, tokens: Tokens, name: str = "my-key") -> TestResponse:
        """Create a user key with the refresh token, as realm-web does."""
        return self.api.create_user_key(tokens.refresh_token, name)

    def new_user_key(self, tokens: Tokens, name: str = "my-key") -> dict[str, Any]:
        """Create a user key and return `{_id, key, name, disabled}`."""
        body: dict[str, Any] = assert_json(self.create_user_key(tokens, name), 201)
        return body


def client_app_on(flask_app: Flask, name: str = "clientapp",
                  providers: tuple[str, ...] = ALL_PROVIDERS) -> ClientApp:
    """Log a new admin in to `flask_app` and create an app there (see `ClientApp.create`)."""
    client = flask_app.test_client()
    return ClientApp.create(client, new_admin(flask_app, client), name, providers)


@contextmanager
def clock_moved(delta: timedelta) -> Iterator[None]:
    """Run the block with the service's clock `delta` ahead; put it back even on failure."""
    clock.advance(delta)
    try:
        yield
    finally:
        clock.reset()
