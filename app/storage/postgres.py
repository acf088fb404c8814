"""The PostgreSQL connection pool, checking a connection's health only after it sat idle.

peewee's pool sends `SELECT 1` each time a connection leaves the pool, so that one broken
by a server restart or a network cut is replaced instead of failing a request. Under
load a connection goes back and out again within milliseconds, and that round trip
doubled the round trips of a one-query request (refresh, profile: bench/, CHANGELOG).

So a connection given back less than CHECK_AFTER_IDLE_SECONDS ago, idle and open then,
is handed out again without the round trip: it was working a moment ago. If the server
went away in that moment, the request using it fails with 503 and Retry-After and the
connection is thrown away (app.domain.availability); connections idle for longer are checked
as before.
"""

from __future__ import annotations

import time
from typing import Any

from playhouse.pool import PooledPostgresqlDatabase as _PeeweePool

CHECK_AFTER_IDLE_SECONDS = 1.0


class PooledPostgresqlDatabase(_PeeweePool):
    """peewee's PostgreSQL pool without the health round trip for a just-returned connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self._returned_at: dict[Any, float] = {}

    def _is_closed(self, conn: Any) -> bool:
        returned_at = self._returned_at.pop(self.conn_key(conn), None)
        adapter = self._adapter  # type: ignore[attr-defined]
        if (returned_at is not None
                and time.monotonic() - returned_at < CHECK_AFTER_IDLE_SECONDS
                and not conn.closed
                and adapter.txn_status(conn) == adapter.txn_idle):
            return False
        return bool(super()._is_closed(conn))  # type: ignore[no-untyped-call]

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        key = self.conn_key(conn)
        if close_conn:
            self._returned_at.pop(key, None)
        else:
            self._returned_at[key] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn: Any) -> None:  # closed for good (stale, broken, close_all)
        self._returned_at.pop(self.conn_key(conn), None)
        super()._close_raw(conn)  # type: ignore[no-untyped-call]
