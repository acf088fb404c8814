"""A person at a browser without JavaScript, through Flask's test client: `Console` reads
the CSRF token from the page it is on, as the browser sends the hidden field back, and
follows nothing by itself. tests/console/conftest.py makes the fixtures."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.domain import admin, apps, providers
from app.models import AdminKey, App, Group
from tests.support.store import in_database

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</', re.S)


def alerts(response: TestResponse) -> list[str]:
    """The texts of the page's alerts (error messages and warnings), unescaped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
            for text in ALERT.findall(response.text)]


def page_text(response: TestResponse) -> str:
    """What a person reads on the page: no tags, entities decoded, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_value(response: TestResponse, field_id: str) -> str | None:
    """The value an <input id=field_id> carries in the page, unescaped."""
    match = re.search(rf'<input id="{re.escape(field_id)}"[^>]*?value="([^"]*)"', response.text,
                      re.S)
    return html.unescape(match.group(1)) if match else None


@dataclass
class Console:
    """A signed-in (or not yet) person using the console with a test client."""

    flask_app: Flask
    client: FlaskClient
    public_key: str
    private_key: str
    token: str = ""

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(path, **kwargs)
        self._remember_token(response)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, *,
             csrf: bool = True) -> TestResponse:
        form = dict(data or {})
        if csrf:
            if not self.token:
                self.get("/console/sign-in")
            form.setdefault("csrf_token", self.token)
        response = self.client.post(path, data=form)
        self._remember_token(response)
        return response

    def _remember_token(self, response: TestResponse) -> None:
        if response.mimetype == "text/html" and (match := CSRF_FIELD.search(response.text)):
            self.token = match.group(1)

    def sign_in(self) -> TestResponse:
        self.get("/console/sign-in")
        response = self.post("/console/sign-in", {"public_key": self.public_key,
                                                   "private_key": self.private_key})
        assert response.status_code == 302, response.text
        self.get("/console/apps")  # the sign-in replaced the session: take its new token
        return response

    # --- what the domain holds, looked at directly -----------------------------------

    def group(self) -> Group:
        with in_database(self.flask_app):
            key = AdminKey.get(AdminKey.public_key == self.public_key)
            return admin.groups_of(key)[0]

    def create_app(self, name: str = "myapp", *, enable_api_keys: bool = False) -> App:
        group = self.group()
        with in_database(self.flask_app):
            created = apps.create_app(group, name)
            if enable_api_keys:
                provider = providers.find_provider(created, providers.API_KEY)
                assert provider is not None
                providers.set_disabled(provider, False)
        return created

    def app_path(self, created: App) -> str:
        return f"/console/groups/{created.group_id}/apps/{created.id}"


def new_console(flask_app: Flask, *groups: str) -> Console:
    """An admin key pair granted `groups`, with a test client that has not signed in."""
    with in_database(flask_app):
        issued = admin.create_admin_key(list(groups) or ["default"])
    return Console(flask_app, flask_app.test_client(), issued.admin_key.public_key,
                   issued.private_key)
