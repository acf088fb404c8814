"""Assertions about the wire format that every API test shares."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import TestResponse

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
CORRELATION_HEADER = "X-Appservices-Request-Id"
# `{base}/groups/{groupId}/apps/{appId}/logs?co_id={id}` or `{base}/console/logs?co_id={id}`
LINK = re.compile(r"^(?P<base>(https?://[^/]+)?(/[^?]*?)?)"
                  r"(?:/groups/(?P<group_id>[0-9a-f]{24})/apps/(?P<app_id>[0-9a-f]{24})"
                  r"|/console)/logs\?co_id=(?P<co_id>[0-9a-f]{24})$")


def assert_error(
    response: TestResponse, status: int, error_code: str, *, says: str | None = None
) -> str:
    """Check a response is the contract's error envelope and return its message.

    Exactly `{"error": str, "error_code": str, "link": str}` (no nulls), labelled exactly
    `application/json`: realm-core reads errors only in that shape. The link names the
    request's correlation id, the one in the X-Appservices-Request-Id header (the SDKs'
    tests check that it contains `logs?co_id=`). `says`, if given, must appear in the
    message (case-insensitively).
    """
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers.get("Content-Type") == "application/json"
    body = response.get_json()
    assert isinstance(body, dict), body
    assert set(body) == {"error", "error_code", "link"}, body
    assert_link(response)
    assert isinstance(body["error"], str) and body["error"], body
    assert body["error_code"] == error_code, body
    if says is not None:
        assert says.lower() in body["error"].lower(), body["error"]
    message: str = body["error"]
    return message


def assert_link(response: TestResponse) -> re.Match[str]:
    """Check an error's `link` names this request's correlation id; return its parts."""
    link = response.get_json()["link"]
    assert isinstance(link, str) and "logs?co_id=" in link, link
    match = LINK.fullmatch(link)
    assert match is not None, link
    assert match["co_id"] == response.headers.get(CORRELATION_HEADER), (link, response.headers)
    return match


def refusal(response: TestResponse) -> tuple[str, str]:
    """An error's message and code: what two refusals that must look alike share (each
    names its own request in `link`)."""
    body = response.get_json()
    return body["error"], body["error_code"]


def assert_json(response: TestResponse, status: int) -> Any:
    """Check a success response is JSON with `status` and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers.get("Content-Type") == "application/json"
    return response.get_json()


def assert_no_content(response: TestResponse) -> None:
    """Check a response is a bodiless 204."""
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""

