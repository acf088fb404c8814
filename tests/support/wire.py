"""Assertions about the wire format that every API test shares."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import TestResponse

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def assert_error(
    response: TestResponse, status: int, error_code: str, *, says: str | None = None
) -> str:
    """Check a response is the contract's error envelope and return its message.

    Exactly `{"error": str, "error_code": str}` (no nulls, no `link` we could only fake),
    labelled exactly `application/json`: realm-core reads errors only in that shape.
    `says`, if given, must appear in the message (case-insensitively).
    """
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers.get("Content-Type") == "application/json"
    body = response.get_json()
    assert isinstance(body, dict), body
    assert set(body) == {"error", "error_code"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert body["error_code"] == error_code, body
    if says is not None:
        assert says.lower() in body["error"].lower(), body["error"]
    message: str = body["error"]
    return message


def assert_json(response: TestResponse, status: int) -> Any:
    """Check a success response is JSON with `status` and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers.get("Content-Type") == "application/json"
    return response.get_json()


def assert_no_content(response: TestResponse) -> None:
    """Check a response is a bodiless 204."""
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""

