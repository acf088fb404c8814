"""Which values of an API key log in now, and which of its sessions still hold (schema 8).

A key has one current value and, after a roll, possibly the value before it, which keeps
logging in until its grace period ends (`previous_valid_until`, exclusive), then never
again. Each roll counts (`ApiKey.rolls`); a session records the count of the value that
opened it (`Session.api_key_roll`), so a session lives exactly as long as its value does:
the current value's sessions as long as the key, the previous value's until the grace
ends, any older value's not at all.

A key may also expire (`expires_at`, exclusive; None: never, as keys always were). An
expired key is refused as a disabled one is, and so are its sessions.

Pure functions of a row and "now": the login reads the row twice (before and inside its
transaction) and every token-authenticated request once, and all apply the same rules.
"""

from __future__ import annotations

import hmac

from app.domain.errors import InvalidParameter
from app.models import ApiKey

# The grace period an admin may give a rolled key's old value: none to seven days.
MAX_GRACE_SECONDS = 7 * 24 * 3600
# The latest expiry a key may be given: the end of year 9999, as far as ISO-8601 and
# every client's date type reach (and far inside a BIGINT).
MAX_EXPIRES_AT = 253402300799


def is_expired(api_key: ApiKey, now: int) -> bool:
    """Whether the key has an expiry and it has come."""
    expires_at: int | None = api_key.expires_at
    return expires_at is not None and now >= expires_at


def previous_value_holds(api_key: ApiKey, now: int) -> bool:
    """Whether the value before the last roll still logs in (its grace period runs)."""
    until: int | None = api_key.previous_valid_until
    return api_key.previous_digest is not None and until is not None and now < until


def roll_of_value(api_key: ApiKey, digest: str, now: int) -> int | None:
    """The roll of the key's value whose digest is `digest`, if that value logs in now.

    None for a disabled or expired key, and for a value that is neither the current one
    nor a previous one within its grace period.
    """
    if api_key.disabled or is_expired(api_key, now):
        return None
    if hmac.compare_digest(api_key.digest, digest):
        rolls: int = api_key.rolls
        return rolls
    previous = api_key.previous_digest
    if previous is not None and hmac.compare_digest(previous, digest) \
            and previous_value_holds(api_key, now):
        return int(api_key.rolls) - 1
    return None


def refusal_of_session(api_key: ApiKey | None, roll: int, now: int) -> str | None:
    """Why a session opened by the key's value of roll `roll` no longer holds, or None.

    The key's own state first (gone or disabled, as before schema 8; then expired), then
    the value: the current one holds, the previous one until its grace ends.
    """
    if api_key is None or api_key.disabled:
        return "the API key it was opened with is disabled"
    if is_expired(api_key, now):
        return "the API key it was opened with has expired"
    if roll == api_key.rolls or (roll == api_key.rolls - 1
                                 and previous_value_holds(api_key, now)):
        return None
    return "the API key value it was opened with has been rolled"


def validate_grace(seconds: object) -> int:
    """A grace period: a whole number of seconds from 0 to 7 days."""
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise InvalidParameter("'grace_period_seconds' must be a whole number of seconds")
    if not 0 <= seconds <= MAX_GRACE_SECONDS:
        raise InvalidParameter(
            f"'grace_period_seconds' must be between 0 and {MAX_GRACE_SECONDS} (7 days)"
        )
    return seconds


def validate_expiry(expires_at: object, now: int) -> int | None:
    """An expiry for a new key: None (never), or Unix seconds after now."""
    if expires_at is None:
        return None
    if isinstance(expires_at, bool) or not isinstance(expires_at, int):
        raise InvalidParameter("'expires_at' must be a time in whole Unix seconds")
    if expires_at <= now:
        raise InvalidParameter("'expires_at' must be in the future")
    if expires_at > MAX_EXPIRES_AT:
        raise InvalidParameter(f"'expires_at' must be at most {MAX_EXPIRES_AT} (year 9999)")
    return expires_at
