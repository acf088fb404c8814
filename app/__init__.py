"""appservices-auth: the API-key authentication of Atlas App Services, self-hosted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from app.factory import bootstrap_admin, create_app

__all__ = ["__version__", "bootstrap_admin", "create_app"]


def __getattr__(name: str) -> Any:
    # The server is built only when asked for. `appservices login` and the other client
    # commands import this package too, and must not pay for Flask, peewee and the
    # domain (about half a second per command) or need the server's dependencies.
    if name in {"create_app", "bootstrap_admin"}:
        from app import factory

        return getattr(factory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
