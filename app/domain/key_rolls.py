"""Rolling a server API key: a new value for the same key, its server user untouched.

The key keeps its id, name, state and expiry, and its server user keeps its id,
identities and custom data: only the value changes. The new value is shown once, as a
new key's is. The value before the roll keeps logging in for the grace period the admin
chooses (none to seven days), then never again (app.domain.key_values has the rules).

A roll is not a new key: no limit is counted, no user or identity is made.

Decisions (docs/sdks-and-scripts.md, "Rolling a server key"):
- Sessions follow their value. With no grace the old value stops at once and the
  sessions it opened end with it; with a grace period they end when it does.
- A second roll while a grace period runs keeps only the newest previous value: the
  value it retires gets the new grace period, and the one retired before stops at once,
  its sessions with it. An admin who rolled a leaked key and then leaked the new value
  can roll again at once.
- A disabled (or expired) key can be rolled: it stays disabled, so neither value logs in
  until it is enabled, and then only as the grace period allows. Rolling a disabled,
  leaked key before enabling it again is the point.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import clock
from app.domain import key_values, keys
from app.domain.errors import APIKeyNotFound
from app.models import ApiKey, Session, User
from app.storage import lock_for_update, write_transaction


@dataclass(frozen=True)
class RolledKey:
    """A key just rolled, its new value (here once, stored nowhere), and until when the
    value before logs in (None: it stopped at the roll)."""

    api_key: ApiKey
    key: str
    previous_valid_until: int | None


def roll(api_key: ApiKey, grace_seconds: object = 0) -> RolledKey:
    """Give `api_key` a new value; the old one logs in for `grace_seconds` more."""
    grace = key_values.validate_grace(grace_seconds)
    secret = keys.generate(keys.API_KEY_PREFIX)
    with write_transaction():
        # The user's row first, as every revocation does (app.domain.sessions): a login
        # racing the roll either opens its session before (and the roll sees it) or
        # waits, re-reads the key and finds its value retired.
        lock_for_update(User.select().where(User.id == api_key.user_id)).execute()
        current = ApiKey.get_or_none(ApiKey.id == api_key.id)
        if current is None:  # deleted meanwhile
            raise APIKeyNotFound()
        now = clock.timestamp()
        rolls = int(current.rolls) + 1
        previous_digest = current.digest if grace else None
        previous_valid_until = now + grace if grace else None
        ApiKey.update(
            digest=keys.digest(secret), rolls=rolls, previous_digest=previous_digest,
            previous_valid_until=previous_valid_until,
        ).where(ApiKey.id == current.id).execute()
        # The sessions of every value that no longer logs in end now.
        oldest_kept = rolls - 1 if grace else rolls
        Session.delete().where(
            (Session.api_key == current.id) & (Session.api_key_roll < oldest_kept)
        ).execute()
    current.digest, current.rolls = keys.digest(secret), rolls
    current.previous_digest, current.previous_valid_until = previous_digest, previous_valid_until
    return RolledKey(current, secret, previous_valid_until)
