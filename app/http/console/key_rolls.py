"""Console: roll a server API key (App Users → Authentication Providers → API Keys → Roll).

GET asks how long the old value should keep logging in; POST (CSRF-protected, as every
console form) rolls and shows the new value, this once, as creating a key does.
"""

from __future__ import annotations

from typing import Any

from flask import request

from app.domain import api_keys, key_rolls
from app.domain.errors import DomainError
from app.http.console.blueprint import bp
from app.http.console.pages import APP, Page, _app, _app_page, public_base_url

# The grace periods the form offers (seconds, label); the Admin API and CLI take any
# number of seconds up to 7 days.
GRACE_CHOICES = (
    (0, "None: the old value stops now, and the sessions it opened end"),
    (3600, "1 hour"),
    (86400, "1 day"),
    (7 * 86400, "7 days"),
)


@bp.route(APP + "/api-keys/<key_id>/roll", methods=["GET", "POST"])
def roll_api_key(group_id: str, app_id: str, key_id: str) -> Page:
    """Ask for a grace period, then roll the key and show its new value once."""
    group, app = _app(group_id, app_id)
    api_key = api_keys.get_server_key(app, key_id)
    page: dict[str, Any] = {"section": "users", "tab": "providers", "api_key": api_key,
            "grace_choices": GRACE_CHOICES}
    if request.method == "GET":
        return _app_page("api_key_roll.html", group, app, grace=0, **page)
    grace: object = request.form.get("grace", "0")
    try:
        grace = int(str(grace))
    except ValueError:  # not a number: the domain refuses it in words
        pass
    try:
        rolled = key_rolls.roll(api_key, grace)
    except DomainError as error:
        return _app_page("api_key_roll.html", group, app, status=error.status, grace=0,
                         error=error.message, **page)
    # The value goes into this response only: not into a URL, a redirect, or the session.
    return _app_page("api_key_created.html", group, app, section="users", tab="providers",
                     api_key=rolled.api_key, key=rolled.key, rolled=True,
                     previous_valid_until=rolled.previous_valid_until, base_url=public_base_url())
