"""Throttling brute force: failed logins counted per client address and per app.

A login names the scopes it counts against: the client's address within the app, and
the app as a whole (the admin login: the address only). Time is cut into fixed windows
(THROTTLE_WINDOW_SECONDS, 5 minutes by default); while a scope has used up its failures
for the current window, every login in it is refused with 429 TooManyRequests and a
Retry-After saying when the window ends.

- The counts live in the database (`LoginFailure`), not in a process, so every worker
  and every server sharing the database counts together: failures on one server are
  throttled on all.
- The check comes before the credentials are looked at, so a throttled client gets the
  same answer whatever it sends: it cannot learn whether a key or an account exists.
- Only failures are written. A successful login costs one indexed read and no write,
  so throttling does not slow the clients that know their credentials.
- Concurrent attempts can each pass the check before any of them records its failure,
  so a burst may overshoot a limit by the number of requests in flight; the next check
  sees them all.
- Scopes are stored as HMAC digests keyed with SECRET_KEY: the database never holds a
  client's address, and the digests cannot be reversed by trying every IPv4 address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from app import clock
from app.domain import settings
from app.domain.errors import AuthError, InvalidPassword, TooManyRequests, UserDisabled
from app.models import LoginFailure
from app.statements import Select

# The refusals that count as a failed login: wrong, unknown, disabled or malformed
# credentials. Not counted: unknown apps, disabled providers, malformed requests.
COUNTED_FAILURES = (AuthError, InvalidPassword, UserDisabled)
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Scope:
    """One thing whose failed logins are counted, and how many a window allows."""

    name: str  # e.g. "ip:203.0.113.7:app:<app id>"; stored only as a digest
    limit: int

    @property
    def digest(self) -> str:
        return _scope_digest(settings.current().secret_key, self.name)


@lru_cache(maxsize=4096)  # every login digests its scopes; the same few, over and over
def _scope_digest(secret_key: str, name: str) -> str:
    return hmac.new(secret_key.encode(), f"throttle:{name}".encode(),
                    hashlib.sha256).hexdigest()


def login_scopes(app_id: str, address: str | None) -> list[Scope]:
    """The scopes of a login to an app: the client's address within the app, and the app."""
    current = settings.current()
    scopes = [
        Scope(f"ip:{address or UNKNOWN_ADDRESS}:app:{app_id}",
              current.throttle_failures_per_address),
        Scope(f"app:{app_id}", current.throttle_failures_per_app),
    ]
    return [scope for scope in scopes if scope.limit > 0]  # 0 switches a scope off


def admin_login_scopes(address: str | None) -> list[Scope]:
    """The scopes of an Admin API login: the client's address."""
    scope = Scope(f"admin:ip:{address or UNKNOWN_ADDRESS}",
                  settings.current().throttle_failures_per_address)
    return [scope] if scope.limit > 0 else []


def _window_start() -> int:
    seconds = settings.current().throttle_window_seconds
    now = clock.timestamp()
    return now - now % seconds


def _counts_query(scope_count: int) -> Select:
    return Select(
        [LoginFailure],
        lambda p: LoginFailure.select().where(
            LoginFailure.scope.in_([getattr(p, f"scope{index}") for index in range(scope_count)])
            & (LoginFailure.window_start == p.start)
        ),
        start=LoginFailure.window_start,
        **{f"scope{index}": LoginFailure.scope for index in range(scope_count)},
    )


# Every login checks its scopes (one or two): compiled once per count (app.statements).
_COUNTS = {scope_count: _counts_query(scope_count) for scope_count in (1, 2)}


def check(scopes: list[Scope]) -> None:
    """Refuse with TooManyRequests while any scope has used up its failures (one read)."""
    if not scopes:
        return
    start = _window_start()
    limits = {scope.digest: scope.limit for scope in scopes}
    digests = {f"scope{index}": digest for index, digest in enumerate(limits)}
    query = _COUNTS.get(len(digests)) or _counts_query(len(digests))
    counted = [row for row, in query.rows(start=start, **digests)]
    if any(row.failures >= limits[row.scope] for row in counted):
        retry_after = max(1, start + settings.current().throttle_window_seconds
                          - clock.timestamp())
        raise TooManyRequests(
            f"too many failed logins; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )


def record_failure(scopes: list[Scope]) -> None:
    """Count one failed login in every scope, and forget the windows that have passed."""
    if not scopes:
        return
    start = _window_start()
    # Sorted, so that concurrent writers lock the rows in one order (no deadlock).
    rows = [{"scope": digest, "window_start": start, "failures": 1}
            for digest in sorted({scope.digest for scope in scopes})]
    # Two statements in autocommit, deliberately not one transaction: each is atomic on
    # its own (the upsert increments in place, so no failure is lost to a race), and the
    # clean-up needs no lock held together with the counters.
    LoginFailure.insert_many(rows).on_conflict(
        conflict_target=[LoginFailure.scope, LoginFailure.window_start],
        update={LoginFailure.failures: LoginFailure.failures + 1},
    ).execute()
    LoginFailure.delete().where(LoginFailure.window_start < start).execute()


@contextmanager
def guard(scopes: list[Scope]) -> Iterator[None]:
    """Check the scopes before a login's credentials are looked at; count it if it fails.

    Wrap the whole credential check in it, transactions included: the failure is
    recorded after any transaction of the login has rolled back, so it is kept.
    """
    check(scopes)
    try:
        yield
    except COUNTED_FAILURES:
        record_failure(scopes)
        raise
