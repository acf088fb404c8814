"""Throttling brute force without letting anyone lock out a caller who knows its secret.

Failed logins are counted in scopes, each with its own limit per window
(THROTTLE_WINDOW_SECONDS, 5 minutes by default):

- the client's address within the app (an IPv6 address counts as its /64, which one
  subscriber usually holds whole): **blocking**. Once an address has used up its failures,
  every login from it is refused with 429 TooManyRequests and a Retry-After, before its
  credentials are looked at, so it learns nothing more, not even whether a key exists.
  Only the address that failed is refused.
- the account, for email/password logins (the email within the app), and the app as a
  whole: **counting**. Others' failures must never lock out a caller presenting valid
  credentials, so these never refuse a login that succeeds; once used up, a failed login
  in them is answered 429 instead of 401, telling clients to back off and showing the
  attack, while each guessing address still runs into its own limit.

Registrations are counted per address and app too (blocking, every attempt: each costs a
bcrypt hash and tells whether an email is taken).

- The counts live in the database (`LoginFailure`), not in a process, so every worker
  and every server sharing the database counts together: failures on one server are
  throttled on all.
- Only failures are written. A successful login costs one indexed read and no write,
  so throttling does not slow the clients that know their credentials.
- Concurrent attempts can each pass the check before any of them records its failure,
  so a burst may overshoot a limit by the number of requests in flight; the next check
  sees them all.
- Scopes are stored as HMAC digests keyed with SECRET_KEY: the database never holds a
  client's address or an email, and the digests cannot be reversed by trying every
  IPv4 address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from app import clock
from app.domain import settings
from app.domain.errors import AuthError, InvalidPassword, TooManyRequests, UserDisabled
from app.models import LoginFailure
from app.storage.statements import Select

# The refusals that count as a failed login: wrong, unknown, disabled or malformed
# credentials. Not counted: unknown apps, disabled providers, malformed requests.
COUNTED_FAILURES = (AuthError, InvalidPassword, UserDisabled)
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Scope:
    """One thing whose failed logins are counted, and how many a window allows."""

    name: str  # e.g. "ip:203.0.113.7:app:<app id>"; stored only as a digest
    limit: int
    # Blocking: once used up, refuse every login in the scope before its credentials are
    # read. Counting: only turn the scope's further failures into 429s.
    blocking: bool = True

    @property
    def digest(self) -> str:
        return _scope_digest(settings.current().secret_key, self.name)


@lru_cache(maxsize=4096)  # every login digests its scopes; the same few, over and over
def _scope_digest(secret_key: str, name: str) -> str:
    return hmac.new(secret_key.encode(), f"throttle:{name}".encode(),
                    hashlib.sha256).hexdigest()


@lru_cache(maxsize=4096)
def client_group(address: str | None) -> str:
    """The unit an address is counted in: itself, or for IPv6 its /64 network.

    An IPv6 subscriber is usually given a whole /64 and can use any address in it: one
    address each would give a guesser 2**64 fresh allowances.
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address or UNKNOWN_ADDRESS
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def login_scopes(app_id: str, address: str | None, account: str | None = None) -> list[Scope]:
    """The scopes of a login to an app: the client's address within the app, the account
    (an email/password login's email) and the app."""
    current = settings.current()
    scopes = [
        Scope(f"ip:{client_group(address)}:app:{app_id}",
              current.throttle_failures_per_address),
        Scope(f"app:{app_id}", current.throttle_failures_per_app, blocking=False),
    ]
    if account is not None:
        scopes.append(Scope(f"account:{account}:app:{app_id}",
                            current.throttle_failures_per_account, blocking=False))
    return [scope for scope in scopes if scope.limit > 0]  # 0 switches a scope off


def registration_scopes(app_id: str, address: str | None) -> list[Scope]:
    """The scope of a registration: the client's address within the app."""
    scope = Scope(f"register:ip:{client_group(address)}:app:{app_id}",
                  settings.current().throttle_registrations_per_address)
    return [scope] if scope.limit > 0 else []


def admin_login_scopes(address: str | None) -> list[Scope]:
    """The scopes of an Admin API login: the client's address."""
    scope = Scope(f"admin:ip:{client_group(address)}",
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


# Every login checks its scopes (one to three): compiled once per count (app.storage.statements).
_COUNTS = {scope_count: _counts_query(scope_count) for scope_count in (1, 2, 3)}


def _too_many(what: str = "failed logins") -> TooManyRequests:
    start = _window_start()
    retry_after = max(1, start + settings.current().throttle_window_seconds - clock.timestamp())
    return TooManyRequests(
        f"too many {what}; try again in {retry_after} seconds",
        headers={"Retry-After": str(retry_after)},
    )


def check(scopes: list[Scope], what: str = "failed logins") -> dict[str, int]:
    """Refuse with TooManyRequests while a blocking scope has used up its failures; return
    every scope's failures so far in this window (by digest). One read."""
    if not scopes:
        return {}
    limits = {scope.digest: scope.limit for scope in scopes}
    digests = {f"scope{index}": digest for index, digest in enumerate(limits)}
    query = _COUNTS.get(len(digests)) or _counts_query(len(digests))
    counted = {row.scope: row.failures
               for row, in query.rows(start=_window_start(), **digests)}
    if any(scope.blocking and counted.get(scope.digest, 0) >= scope.limit
           for scope in scopes):
        raise _too_many(what)
    return counted


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
    counted = check(scopes)
    try:
        yield
    except COUNTED_FAILURES as failure:
        record_failure(scopes)
        if any(counted.get(scope.digest, 0) >= scope.limit for scope in scopes):
            raise _too_many() from failure
        raise


@contextmanager
def counting_every_attempt(scopes: list[Scope], what: str) -> Iterator[None]:
    """Refuse once the scopes are used up; count every attempt, whatever its outcome."""
    check(scopes, what)
    record_failure(scopes)
    yield
