"""Reading request bodies (app.http.json_body): what no field can take is refused, cheaply."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.domain.errors import InvalidParameter
from app.http import json_body


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_body_nested_as_deep_as_allowed_is_read() -> None:
    assert json_body.loads(_nested(json_body.MAX_DEPTH)) is not None
    assert json_body.loads(
        '{"a": ' * (json_body.MAX_DEPTH - 1) + "[]" + "}" * (json_body.MAX_DEPTH - 1)
    ) is not None


@pytest.mark.parametrize("depth", [json_body.MAX_DEPTH + 1, 500, 100_000])
def test_a_body_nested_deeper_is_refused_and_never_exhausts_the_stack(depth: int) -> None:
    with pytest.raises(InvalidParameter, match="nested more than 32 levels deep"):
        json_body.loads(_nested(depth).encode())


def test_many_brackets_side_by_side_are_not_depth() -> None:
    wide = json.dumps({"items": [[1], [2]] * 100, "text": "[[[[{{{{" * 10})

    assert json_body.loads(wide)["text"].startswith("[[[[")


@pytest.mark.parametrize("body", [
    '{"password": "\\ud800"}', '{"password": "x\\udfffy"}', '{"\\udc00": 1}',
    '{"options": {"device": {"platform": ["\\ud83d"]}}}', '{"a": "\\ude00\\ud83d"}',
])
def test_a_lone_surrogate_anywhere_is_refused(body: str) -> None:
    with pytest.raises(InvalidParameter, match="not valid Unicode"):
        json_body.loads(body.encode())


def test_control_characters_are_left_to_the_fields() -> None:
    """A NUL in a username is refused as any unknown username is, not singled out."""
    assert json_body.loads(b'{"username": "a\\u0000b", "\\u202e": "\\r\\n"}') == {
        "username": "a\x00b", "\u202e": "\r\n"}


@pytest.mark.parametrize(("body", "value"), [
    ('{"a": "\\ud83d\\ude00"}', "\U0001f600"),  # a pair, as json.dumps writes an emoji
    ('{"a": "\\\\ud800"}', "\\ud800"),  # an escaped backslash: six ordinary characters
    ('{"a": "\\u00e9\\n"}', "é\n"),  # other escapes are the fields' business
    ('{"a": "clé 🔑"}', "clé 🔑"),
])
def test_valid_text_is_read_as_it_was_sent(body: str, value: str) -> None:
    assert json_body.loads(body.encode()) == {"a": value}


def test_what_is_not_json_stays_a_decoding_error_for_the_callers() -> None:
    with pytest.raises(json.JSONDecodeError):
        json_body.loads(b'{"a": ')
    with pytest.raises(UnicodeDecodeError):
        json_body.loads(b'{"a": "\xed\xa0\x80"}')  # a surrogate's bytes are not UTF-8


def test_an_ordinary_login_body_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot path pays two substring counts and a search, no walk of the parsed body."""
    def walked(_value: Any) -> None:
        raise AssertionError("the body was walked")

    monkeypatch.setattr(json_body, "_check_depth", walked)
    monkeypatch.setattr(json_body, "_check_text", walked)
    body = json.dumps({"key": "ask_" + "x" * 49, "options": {"device": {
        "deviceId": {"$oid": "0" * 24}, "appId": "my-app", "platform": "chrome",
        "platformVersion": "126.0", "sdkVersion": "2.0.0"}}})

    assert json_body.loads(body.encode())["options"]["device"]["platform"] == "chrome"
