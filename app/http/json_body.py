"""Reading a JSON request body, once for every endpoint: what no field could use is refused.

`json.loads` accepts text that Python can hold but nothing downstream can: a lone UTF-16
surrogate (`"\\ud800"`) cannot be encoded to UTF-8, so bcrypt, hashing and the database
raised on it (500s); and a body nested thousands of levels deep exhausts the
interpreter's stack; an integer of more than 4,300 digits is more than Python converts.
Each is a 400 here, before a view sees the body, whatever field it is in, including the
fields a view ignores.

Control characters (NUL included, which PostgreSQL refuses) are valid Unicode and stay
the business of each field: a key or a username holding one is refused as any wrong one
is, without saying why, and text that is kept has its own rule (app.domain.text).

The login is the hot path, so the checks cost nothing for an ordinary body: a surrogate
can only arrive as a `\\u` escape (its raw bytes are invalid UTF-8), and a body cannot be
deeper than its count of `[` and `{`. Only a body failing one of those C-speed tests is
walked.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from flask import Request

from app.domain.errors import InvalidParameter

# Far deeper than any request of either API (a login's device info is three levels, EJSON
# one more), far shallower than the interpreter's stack.
MAX_DEPTH = 32


def loads(data: str | bytes) -> Any:
    """Parse a request body; refuse deep nesting and lone surrogates.

    Raises `json.JSONDecodeError` / `UnicodeDecodeError` for what is not JSON at all (the
    callers answer those as they always did) and `InvalidParameter` for the rest.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    except RecursionError:  # C-speed, and deeper than MAX_DEPTH anyway
        raise _too_deep() from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more digits than Python converts (4,300): was a 500
        raise InvalidParameter("request body holds a number too long to read (more than "
                               f"{sys.get_int_max_str_digits()} digits)") from None
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _check_depth(value)
    if "\\u" in text:
        _check_text(value)
    return value


def _too_deep() -> InvalidParameter:
    return InvalidParameter(f"request body is nested more than {MAX_DEPTH} levels deep")


def _check_depth(value: Any) -> None:
    # Iterative: a recursive walk could itself run out of stack.
    level: list[Any] = [value]
    for _ in range(MAX_DEPTH):
        below: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                below.extend(item.values())
            elif isinstance(item, list):
                below.extend(item)
        if not below:
            return
        level = below
    if any(isinstance(item, dict | list) for item in level):
        raise _too_deep()


def _check_text(value: Any) -> None:
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            _check_string(item)
        elif isinstance(item, dict):
            for key, member in item.items():
                _check_string(key)
                pending.append(member)
        elif isinstance(item, list):
            pending.extend(item)


def _check_string(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidParameter("request body holds text that is not valid Unicode (a "
                                   "lone surrogate escape such as \\ud800)") from None


class _BodyJSON:
    """The JSON module `request.get_json` parses with: `loads` above."""

    @staticmethod
    def loads(s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class ServiceRequest(Request):
    """Flask's request, reading a JSON body as every endpoint does (`request.get_json`).

    Only requests: responses (and the tests reading them) keep Flask's own JSON.
    """

    json_module = _BodyJSON
