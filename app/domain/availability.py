"""Whether the database can be used, and the one answer when it cannot.

The HTTP layer (API, health check, console) asks here instead of catching the
database's exceptions itself: `UNAVAILABLE` are the errors of a database that went away
or never answered, `unavailable()` is what to answer then (503, `ServiceUnavailable`,
Retry-After), having thrown this thread's connection away so that the next request
opens a new one.
"""

from __future__ import annotations

from app import storage
from app.domain.errors import ServiceUnavailable

# A database that went away (a server restart, a network cut) or never answered.
UNAVAILABLE = storage.CONNECTION_ERRORS
# Any failure of the database, including those above.
DATABASE_FAILED = storage.DATABASE_ERRORS
RETRY_AFTER_SECONDS = 1


def unavailable() -> ServiceUnavailable:
    """Drop this thread's connection and return the error that answers the request."""
    storage.discard_connection()
    return ServiceUnavailable(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def forget_connection() -> None:
    """Drop this thread's connection after a failure; the next query opens a new one."""
    storage.discard_connection()


def database_answers() -> bool:
    """Tell whether the database answers now (dropping a connection that does not)."""
    return storage.ping()
