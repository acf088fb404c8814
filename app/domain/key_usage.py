"""When, from where and with what each API key last logged in (issue 15, part 1).

A key login records itself on the key's row: the time, the client's address (as the
service derives it, behind TRUSTED_PROXY_HOPS proxies too) and the SDK and platform its
device information named. At most once a minute per key, so that a login stays a read:
the login has just read the key's row, which says when it was last recorded, and a key
recorded within the minute writes nothing. Otherwise one conditional UPDATE, which also
writes nothing when another server recorded the key meanwhile. The values from the
device information are the client's words: kept as data, shown escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import ApiKey
from app.storage.statements import Statement

# A key's last use is written when the one recorded is older than this.
WRITE_INTERVAL_SECONDS = 60
_ADDRESS_LENGTH = 64  # the column's; an IPv6 address with a zone fits


class _UpdateWithNulls(Statement):
    # A login may name no SDK or platform: NULL is a value to SET here, never compared.
    nulls_allowed = True


# Only when the recorded use is older than the interval (or there is none): of two servers
# recording one key in the same minute, the second changes no row.
_RECORD = _UpdateWithNulls(
    lambda p: ApiKey.update(
        last_used_at=p.now, last_used_ip=p.address, last_used_sdk=p.sdk,
        last_used_sdk_version=p.sdk_version, last_used_platform=p.platform,
        last_used_platform_version=p.platform_version,
    ).where((ApiKey.id == p.key_id)
            & (ApiKey.last_used_at.is_null() | (ApiKey.last_used_at < p.stale_before))),
    now=ApiKey.last_used_at, address=ApiKey.last_used_ip, sdk=ApiKey.last_used_sdk,
    sdk_version=ApiKey.last_used_sdk_version, platform=ApiKey.last_used_platform,
    platform_version=ApiKey.last_used_platform_version, key_id=ApiKey.id,
    stale_before=ApiKey.last_used_at,
)


@dataclass(frozen=True)
class LastUsed:
    """A key's last recorded login; a field the login did not tell is None."""

    date: int  # Unix seconds
    ip_address: str | None
    sdk_name: str | None
    sdk_version: str | None
    platform: str | None
    platform_version: str | None


def last_used(api_key: ApiKey) -> LastUsed | None:
    """The key's last recorded login, or None when it has not logged in since schema 13."""
    if api_key.last_used_at is None:
        return None
    return LastUsed(api_key.last_used_at, api_key.last_used_ip, api_key.last_used_sdk,
                    api_key.last_used_sdk_version, api_key.last_used_platform,
                    api_key.last_used_platform_version)


def record_login(api_key: ApiKey, now: int, address: str | None,
                 device_info: dict[str, Any]) -> bool:
    """Record that `api_key` logged in at `now`, unless it was recorded within the last
    minute; return whether a row was written.

    `api_key` is the row the login read, whose `last_used_at` decides without another
    query. `device_info` is the login's, already cleaned (app.domain.logins). Call it in
    the login's write transaction, after the session is opened: the key's row is written
    after the user's, in the order every revoker takes them.
    """
    stale_before = now - WRITE_INTERVAL_SECONDS
    if api_key.last_used_at is not None and api_key.last_used_at >= stale_before:
        return False
    written = _RECORD.execute(
        now=now, address=address[:_ADDRESS_LENGTH] if address else None,
        sdk=device_info.get("sdk"), sdk_version=device_info.get("sdkVersion"),
        platform=device_info.get("platform"),
        platform_version=device_info.get("platformVersion"),
        key_id=api_key.id, stale_before=stale_before,
    )
    return bool(written)
