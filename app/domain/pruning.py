"""Deleting the rows that only mattered until a time passed, a small batch at a time.

- client sessions whose refresh token has expired (an anonymous user's never does);
- admin sessions likewise;
- failed-login counts of throttle windows that have closed (app.domain.throttle deletes
  them too when a failure is recorded, but only then);
- devices past their `keep_until`: no session opened from them can be alive (a device
  an anonymous session may use has none, and stays);
- app log entries older than LOG_RETENTION_DAYS (app.domain.app_logs).

Each batch is its own short transaction (on SQLite a write transaction, which every
writer takes in turn), so requests wait for at most one batch, never for a whole pass.
The background runner (app.pruner) decides when, and which process prunes: it may pass
`claim`, asked inside each batch's transaction before anything is deleted (PostgreSQL's
transaction-scoped advisory lock); a refusal ends the pass. Tests call `prune` directly
with a moved clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import peewee

from app import clock
from app.domain import app_logs, settings
from app.models import AdminSession, AppLog, Device, LoginFailure, Session
from app.storage import BaseModel, write_transaction


def _expired_sessions(now: int) -> peewee.ModelSelect[Any]:
    return Session.select(Session.id).where(Session.expires_at <= now)


def _expired_admin_sessions(now: int) -> peewee.ModelSelect[Any]:
    return AdminSession.select(AdminSession.id).where(AdminSession.expires_at <= now)


def _closed_throttle_windows(now: int) -> peewee.ModelSelect[Any]:
    window = settings.current().throttle_window_seconds
    return LoginFailure.select(LoginFailure.id).where(
        LoginFailure.window_start < now - now % window)


def _devices_kept_long_enough(now: int) -> peewee.ModelSelect[Any]:
    return Device.select(Device.id).where(Device.keep_until <= now)


# What is pruned: name (as counted and logged) -> the model and its expired rows' ids.
KINDS: dict[str, tuple[type[BaseModel], Callable[[int], peewee.ModelSelect[Any]]]] = {
    "sessions": (Session, _expired_sessions),
    "admin_sessions": (AdminSession, _expired_admin_sessions),
    "login_failures": (LoginFailure, _closed_throttle_windows),
    "devices": (Device, _devices_kept_long_enough),
    "app_logs": (AppLog, app_logs.expired),
}


@dataclass
class Pruned:
    """How many rows a pass deleted, per kind."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # False when the pass's first batch was refused its claim: another process prunes.
    ran: bool = True

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# Asked inside a batch's transaction: may this process prune now? (app.pruner)
Claim = Callable[[], bool]


def prune_batch(kind: str, batch_size: int, now: int | None = None,
                claim: Claim | None = None) -> int | None:
    """Delete up to `batch_size` expired rows of one kind in one transaction; return how
    many, or None when `claim` refused (another process is pruning). The ids are chosen by
    an index range (expiry, or window) and deleted by id."""
    model, expired = KINDS[kind]
    moment = clock.timestamp() if now is None else now
    with write_transaction():
        if claim is not None and not claim():
            return None
        return int(model.delete().where(
            model.id.in_(expired(moment).limit(batch_size))).execute())


def prune(batch_size: int, *, keep_going: Callable[[], bool] = lambda: True,
          claim: Claim | None = None) -> Pruned:
    """Delete every row that has expired by now, `batch_size` rows per transaction.

    `keep_going` is asked before each batch after the first of a kind: the runner pauses
    there (letting requests' writes in) and stops there when the process is shutting down.
    `claim` is asked in each batch's transaction; a refusal (another process is pruning)
    ends the pass, with `ran` False when it refused the first batch.
    """
    pruned = Pruned()
    now = clock.timestamp()  # one moment for the pass: rows expiring meanwhile wait
    first = True
    for kind in KINDS:
        while True:
            deleted = prune_batch(kind, batch_size, now, claim)
            if deleted is None:
                pruned.ran = not first
                return pruned
            first = False
            pruned.counts[kind] += deleted
            if deleted < batch_size or not keep_going():
                break
    return pruned
