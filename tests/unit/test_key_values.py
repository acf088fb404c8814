"""The rules of a key's values and sessions (app.domain.key_values), at their edges."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain import key_values
from app.domain.errors import InvalidParameter
from app.models import ApiKey

NOW = 1_800_000_000
CURRENT, PREVIOUS = "c" * 64, "p" * 64


def _key(**fields: Any) -> ApiKey:
    values: dict[str, Any] = {"digest": CURRENT, "rolls": 2, "disabled": False,
                              "previous_digest": PREVIOUS, "previous_valid_until": NOW + 10,
                              "expires_at": None}
    values.update(fields)
    return ApiKey(**values)


def test_the_current_value_has_the_current_roll_and_the_previous_one_the_roll_before() -> None:
    assert key_values.roll_of_value(_key(), CURRENT, NOW) == 2
    assert key_values.roll_of_value(_key(), PREVIOUS, NOW) == 1
    assert key_values.roll_of_value(_key(), "x" * 64, NOW) is None


def test_the_grace_period_ends_exclusively() -> None:
    assert key_values.roll_of_value(_key(), PREVIOUS, NOW + 9) == 1
    assert key_values.roll_of_value(_key(), PREVIOUS, NOW + 10) is None
    assert key_values.roll_of_value(_key(previous_valid_until=None), PREVIOUS, NOW) is None
    assert key_values.roll_of_value(_key(previous_digest=None), PREVIOUS, NOW) is None


def test_a_disabled_or_expired_key_has_no_value_that_logs_in() -> None:
    for key in (_key(disabled=True), _key(expires_at=NOW), _key(expires_at=NOW - 1)):
        assert key_values.roll_of_value(key, CURRENT, NOW) is None
        assert key_values.roll_of_value(key, PREVIOUS, NOW) is None
    assert key_values.roll_of_value(_key(expires_at=NOW + 1), CURRENT, NOW) == 2


def test_sessions_follow_their_value() -> None:
    assert key_values.refusal_of_session(_key(), 2, NOW) is None
    assert key_values.refusal_of_session(_key(), 1, NOW) is None
    assert "rolled" in str(key_values.refusal_of_session(_key(), 1, NOW + 10))
    assert "rolled" in str(key_values.refusal_of_session(_key(), 0, NOW))
    assert "expired" in str(key_values.refusal_of_session(_key(expires_at=NOW), 2, NOW))
    assert "disabled" in str(key_values.refusal_of_session(_key(disabled=True), 2, NOW))
    assert "disabled" in str(key_values.refusal_of_session(None, 0, NOW))


@pytest.mark.parametrize("grace", [0, 1, 604800])
def test_grace_periods_from_none_to_seven_days(grace: int) -> None:
    assert key_values.validate_grace(grace) == grace


@pytest.mark.parametrize("grace", [-1, 604801, 1.0, "60", True, None, 10**40])
def test_other_grace_periods_are_refused(grace: object) -> None:
    with pytest.raises(InvalidParameter, match="grace_period_seconds"):
        key_values.validate_grace(grace)


def test_expiries_are_whole_seconds_after_now_up_to_year_9999() -> None:
    assert key_values.validate_expiry(None, NOW) is None
    assert key_values.validate_expiry(NOW + 1, NOW) == NOW + 1
    assert key_values.validate_expiry(key_values.MAX_EXPIRES_AT, NOW) == key_values.MAX_EXPIRES_AT
    for refused in (NOW, NOW - 1, key_values.MAX_EXPIRES_AT + 1, float(NOW + 5), "soon", False):
        with pytest.raises(InvalidParameter, match="expires_at"):
            key_values.validate_expiry(refused, NOW)
