"""Under /console errors are pages in words; the APIs keep their JSON envelope."""

from __future__ import annotations

import pytest
from flask import Flask

from app.domain import apps
from tests.console.driver import Console, alerts


@pytest.mark.parametrize("path", ["/console/no-such-page", "/console/groups/x/apps/y/nothing"])
def test_an_unknown_console_page_is_a_404_page(console: Console, path: str) -> None:
    response = console.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unknown_app_is_a_404_page_in_words(console: Console) -> None:
    group = console.group()
    response = console.get(f"/console/groups/{group.id}/apps/{'0' * 24}/users")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert alerts(response) == ["App not found."]


def test_a_wrong_method_is_a_405_page(console: Console) -> None:
    response = console.client.put("/console/apps")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "<h1>Not allowed here</h1>" in response.text


def test_an_unexpected_failure_is_a_500_page_that_tells_nothing_internal(
        console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_group: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(apps, "list_apps", broken)
    response = console.get("/console/apps")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "<h1>Something went wrong</h1>" in response.text
    assert "secret internals" not in response.text


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("get", "/api/admin/v3.0/no-such-thing", 404, "NotFound"),
    ("put", "/api/admin/v3.0/auth/providers/mongodb-cloud/login", 405, "MethodNotAllowed"),
    ("get", "/nowhere", 404, "NotFound"),
])
def test_the_apis_keep_their_json_envelope(app: Flask, method: str, path: str, status: int,
                                           code: str) -> None:
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["error_code"] == code
