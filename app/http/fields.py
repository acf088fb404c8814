"""Marshmallow fields for JSON bodies that take the JSON types at their word."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


class JSONBoolean(fields.Boolean):
    """A JSON `true` or `false`. marshmallow's Boolean also reads "yes", "false", 0 and 1 as
    booleans; the contract wants a wrong type refused (400), not guessed at."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
