"""How the test drivers reach a server: in-process through Flask's test client, or over
real HTTP with `requests`.

The Admin API client (tests/support/admin_api.py) and the SDK's side
(tests/support/client_actions.py, tests/reliability/deployment.py) send every request
through a transport, so one client serves the in-process tests of tests/api and the
black-box ones (acceptance, reliability, cli, interop, notebooks, bench). Each transport
answers with its library's own response: werkzeug's `TestResponse` (`.json` is a
property) or `requests.Response` (`.json()` is a method); `body_of` reads either.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ADMIN_BASE = "/api/admin/v3.0"
CLIENT_BASE = "/api/client/v2.0"
CLOCK = "/_testing/clock"
ADMIN_LOGIN = f"{ADMIN_BASE}/auth/providers/mongodb-cloud/login"
TIMEOUT_SECONDS = 30
# The password the tests give email/password users unless a test is about passwords.
TEST_PASSWORD = "correct-horse-battery"

R = TypeVar("R", covariant=True)


class Transport(Protocol[R]):
    """Sends one request to a path of the service (`/api/...`) and returns the answer.

    `route` is what a transport needs beyond HTTP itself (the reliability tests' `server=`
    picks one server of several); the test client also takes werkzeug's own arguments.
    """

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                json: Any = None, params: dict[str, str] | None = None,
                **route: Any) -> R: ...


def bearer(token: str) -> dict[str, str]:
    """The Authorization header that carries `token`."""
    return {"Authorization": f"Bearer {token}"}


def body_of(response: Any) -> Any:
    """The JSON body of either transport's response."""
    if isinstance(response, requests.Response):
        return response.json()
    return response.json


def text_of(response: Any) -> str:
    """The body as text, for assertion messages."""
    if isinstance(response, requests.Response):
        return response.text
    text: str = response.get_data(as_text=True)
    return text


class InProcess:
    """The app in this process, through Flask's test client."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                json: Any = None, params: dict[str, str] | None = None,
                **werkzeug: Any) -> TestResponse:
        if params is not None:  # else werkzeug's own query_string, if a test gives one
            werkzeug["query_string"] = params
        return self.client.open(path, method=method, headers=headers, json=json, **werkzeug)


class Live:
    """A running server at `base_url`, over one `requests` session.

    With `keep_history` every response is kept in order (the acceptance scenarios check
    that no response after a key's creation repeated its value).
    """

    def __init__(self, base_url: str, *, keep_history: bool = False,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout
        self.keep_history = keep_history
        self.history: list[requests.Response] = []

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                json: Any = None, params: dict[str, str] | None = None,
                **requests_options: Any) -> requests.Response:
        response = self.session.request(method, self.base_url + path, json=json,
                                        params=params, headers=headers,
                                        timeout=self.timeout, **requests_options)
        if self.keep_history:
            self.history.append(response)
        return response

    def close(self) -> None:
        self.session.close()
