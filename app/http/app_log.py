"""Writing a request's app log entry (app.domain.app_logs) once its answer is made.

A view that makes an entry is marked `@logged(AUTH, "login")` or
`@logged(API_KEY, "disable")`, outside flask-smorest's argument parsing, so that a
malformed request is recorded too. What the view learns on its way (the app, the user,
the key, the device) it notes with `note(...)`; everything else comes from the request
and its answer: path (never the query string), method, client address, status, and the
error's message and code as the client read them. The entry is made in an
`after_request` hook, after the request's own transaction has ended, so a failed login's
entry is kept although its transaction rolled back; app.domain.app_logs writes a failed
request's entry at once and a successful one's with its process's next batch.

An entry belongs to an app: a request whose app is unknown (an unknown client App ID, a
token this server did not sign) makes none, and its error's `link` is the server-wide one.
For the others the app is the one the link names, so the link finds the entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, g, request

from app.domain import app_logs, availability
from app.domain.app_logs import API_KEY, AUTH
from app.http.errors import correlation_id
from app.models import ApiKey, App

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["API_KEY", "AUTH", "init_app", "logged", "note", "note_key"]

# What an API_KEY entry's first message says was asked, by action.
_KEY_ACTIONS = {"create": "create", "enable": "enable", "disable": "disable",
                "delete": "delete", "roll": "roll"}


@dataclass
class _Draft:
    """What is known so far of the entry of the request being served."""

    type: str
    action: str
    started: int
    provider: str | None = None
    app: App | None = None
    user_id: str | None = None
    key: str | None = None  # how the entry names the key it concerns (no value, ever)
    device: dict[str, str] = field(default_factory=dict)


def logged(entry_type: str, action: str) -> Callable[[F], F]:
    """Make the view's request write an entry of `entry_type` about `action`
    (AUTH: login, refresh, logout; API_KEY: create, enable, disable, delete, roll)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            provider = (request.view_args or {}).get("provider")
            g.app_log = _Draft(entry_type, action, app_logs.now_ms(),
                               provider=provider if isinstance(provider, str) else None)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def note(*, app: App | None = None, user_id: str | None = None,
         provider: str | None = None, device: Any = None) -> None:
    """Tell the request's entry what the view has learnt (nothing when it makes none)."""
    draft: _Draft | None = g.get("app_log")
    if draft is None:
        return
    if app is not None:
        draft.app = app
    if user_id is not None:
        draft.user_id = user_id
    if provider is not None:
        draft.provider = provider
    if device is not None:
        draft.device = app_logs.device_fields(device)


def note_key(api_key: ApiKey) -> None:
    """Tell the request's entry which key it concerns: by name and id, and its owner."""
    draft: _Draft | None = g.get("app_log")
    if draft is None:
        return
    draft.key = f"'{api_key.name}' ({api_key.id})"
    draft.user_id = api_key.user_id


def _app_of(draft: _Draft) -> App | None:
    if draft.app is not None:
        return draft.app
    caller = g.get("caller")
    if caller is not None:
        return caller.session.app  # type: ignore[no-any-return]
    # An error's link found the app through the client App ID or the token's session
    # (app.http.errors): the same app, so the link finds this entry.
    found: App | None = g.get("app_of_request")
    return found


def _messages(draft: _Draft) -> list[str]:
    messages = []
    if draft.type == API_KEY:
        what = f"API key {draft.key}" if draft.key else "API key"
        messages.append(f"{_KEY_ACTIONS.get(draft.action, draft.action)} {what}")
    admin_key = g.get("admin_key")
    if admin_key is not None:  # its public half names it; the private half is never read
        messages.append(f"by admin key {admin_key.public_key}")
    return messages


def _write(draft: _Draft, response: Response) -> None:
    app = _app_of(draft)
    if app is None:
        return
    caller = g.get("caller")
    user_id = draft.user_id or (caller.user.id if caller is not None else None)
    error_code, error = g.get("answered_error") or (None, None)
    if error_code is None and response.status_code >= 400:
        error_code, error = "InternalServerError", "internal server error"
    auth_event = None
    if draft.type == AUTH:
        auth_event = {"type": draft.action}
        if draft.provider:
            auth_event["provider"] = draft.provider[:64]
    app_logs.record(app_logs.NewEntry(
        app_id=app.id, co_id=correlation_id(), type=draft.type, auth_event=auth_event,
        request_url=request.path, request_method=request.method, started=draft.started,
        completed=app_logs.now_ms(), status=response.status_code, user_id=user_id,
        remote_ip_address=request.remote_addr, error=error, error_code=error_code,
        device=draft.device, messages=_messages(draft),
    ))


def init_app(flask_app: Flask) -> None:
    """Write each marked request's entry once its answer is made (none when
    APP_LOG_ENABLED is off: the drafts the views note are then dropped with the request)."""
    if not flask_app.config["APP_LOG_ENABLED"]:
        return

    @flask_app.after_request
    def write_app_log(response: Response) -> Response:
        draft: _Draft | None = g.pop("app_log", None)
        if draft is None:
            return response
        try:
            _write(draft, response)
            # Once the answer has left, this thread writes the process's batch if it is
            # due (app.domain.app_logs: cheaper here than from a thread of its own).
            response.call_on_close(app_logs.write_due)
        except availability.DATABASE_FAILED:
            # The answer stands: a client must not fail because its entry could not be kept.
            availability.forget_connection()
            log.warning("could not write the app log entry of co_id=%s",
                        g.get("correlation_id"), exc_info=True)
        return response
