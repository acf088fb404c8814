"""`appservices users create | list | enable | disable | delete | revoke | pending | confirm`.

`users create --type=api-key` is how the App Services documentation creates a server API
key: it prompts for the App ID and the key's name, or takes `--app` and `--name`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import click

from app.cli import output
from app.cli.context import AdminContext, AppRef, row_action
from app.cli.options import (
    app_option,
    group_option,
    group_profile_option,
    json_option,
    profile_option,
    prompt_for,
)

KEY_WARNING = ("Copy the key now: it cannot be retrieved later. Only a digest of it is "
               "stored; if it is lost, create another key.")

# What `users list --type` accepts, and which users each keeps.
USER_FILTERS: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "api-key": ("api-key", lambda user: "api-key" in _provider_types(user)),
    "server": ("api-key", lambda user: user.get("type") == "server"),
    "email": ("local-userpass", lambda user: "local-userpass" in _provider_types(user)),
    "anon": ("anon-user", lambda user: "anon-user" in _provider_types(user)),
}

USER_COLUMNS: list[output.Column] = [
    ("_ID", lambda user: user["_id"]),
    ("TYPE", lambda user: user.get("type")),
    ("NAME", lambda user: _display_name(user)),
    ("PROVIDERS", lambda user: ",".join(_provider_types(user))),
    ("STATUS", lambda user: output.status(user.get("disabled"))),
    ("CREATED", lambda user: output.timestamp(user.get("creation_date"))),
    ("LAST LOGIN", lambda user: output.timestamp(user.get("last_authentication_date"))),
]


def _provider_types(user: Mapping[str, Any]) -> list[str]:
    return [str(identity.get("provider_type")) for identity in user.get("identities", [])]


def _display_name(user: Mapping[str, Any]) -> str:
    data = user.get("data") or {}
    return str(data.get("email") or data.get("name") or "")


@click.group()
@group_profile_option
def users() -> None:
    """Manage an app's users; create server API keys.

    Create, list, enable, disable, delete and log out users. A server API key is
    created as a user: `users create --type=api-key`.

    \b
    Examples:
      appservices users create --type=api-key
      appservices users create --type=api-key --app=myapp-abcde --name=reporting
      appservices users create --type=email --app myapp --email ada@example.com
      appservices users list --app myapp --type server
      appservices users disable --app myapp --user 65f0c0ffee0000000000beef
    """


@users.command("create")
@click.option("--type", "user_type", type=click.Choice(["api-key", "email"]),
              help="api-key: a server API key (with its server user); email: an "
                   "email/password user. Prompted for when missing.")
@app_option
@click.option("--name", metavar="NAME",
              help="--type=api-key: the key's name, unique in the app (1-64 letters, digits, "
                   "'_' or '-'). Prompted for when missing.")
@click.option("--email", metavar="EMAIL",
              help="--type=email: the user's email address. Prompted for when missing.")
@click.option("--password", metavar="PASSWORD",
              help="--type=email: the password. Prompted for (hidden, twice) when missing; "
                   "prefer the prompt, the command line is visible to others.")
@group_option
@profile_option
@json_option
def create_user(user_type: str | None, app_ref: str | None, name: str | None,
                email: str | None, password: str | None, group_id: str | None,
                profile: str, as_json: bool) -> None:
    """Create a server API key (--type=api-key) or an email/password user (--type=email).

    With --type=api-key, asks for the App ID and then for the key's name when --app and
    --name are not given, creates the key, and prints its value ONCE: copy it then, it
    cannot be retrieved later. The app's api-key provider must be enabled first.

    --app takes the client App ID (myapp-abcde), the app's _id, or its name.

    \b
    Examples:
      appservices users create --type=api-key
      appservices users create --type=api-key --app=myapp-abcde --name=reporting
      appservices users create --type=api-key --app=myapp --name=reporting --json
      appservices users create --type=email --app=myapp --email=ada@example.com
    """
    if user_type is None:
        user_type = prompt_for("User type", option="--type", choices=["api-key", "email"])
    if user_type == "api-key" and (email is not None or password is not None):
        raise click.UsageError("--email and --password go with --type=email")
    if user_type == "email" and name is not None:
        raise click.UsageError("--name goes with --type=api-key")
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    if user_type == "api-key":
        create_server_key(context, app, name, as_json=as_json)
        return
    email = email or prompt_for("Email", option="--email")
    if password is None:
        password = prompt_for("Password", option="--password", hide_input=True,
                              confirmation=True)
    body = context.client.post(f"{app.path}/users", json={"email": email, "password": password})
    if as_json:
        output.emit_json(body)
    else:
        click.echo(f"Created email/password user {_display_name(body) or email} in app "
                   f"{app.label}: _id {body['_id']}.")


def create_server_key(context: AdminContext, app: AppRef, name: str | None, *,
                      as_json: bool, expires_at: int | None = None) -> None:
    """Create a server API key in `app` (asking for its name) and print its value once.
    `expires_at` (Unix seconds) makes it expire; None: never."""
    name = name or prompt_for("API Key Name", option="--name")
    request: dict[str, object] = {"name": name}
    if expires_at is not None:
        request["expires_at"] = expires_at
    body = context.client.post(f"{app.path}/api_keys", json=request)
    if as_json:
        output.emit_json(body)
    else:
        click.echo(f"Created server API key '{body['name']}' in app {app.label}.")
        click.echo(f"  _id:  {body['_id']}")
        click.echo(f"  Key:  {body['key']}")
        if body.get("expires_at"):
            click.echo(f"  Expires: {output.timestamp(body['expires_at'])}")
    output.note(KEY_WARNING)


@users.command("list")
@app_option
@click.option("--type", "user_types", multiple=True, type=click.Choice(sorted(USER_FILTERS)),
              help="Only users of this kind: api-key (server and user keys), server (server "
                   "keys' users), email, anon. Repeat for several.")
@click.option("--status", type=click.Choice(["enabled", "disabled"]),
              help="Only enabled or only disabled users.")
@group_option
@profile_option
@json_option
def list_users(app_ref: str | None, user_types: tuple[str, ...], status: str | None,
               group_id: str | None, profile: str, as_json: bool) -> None:
    """List every user of an app (all pages), oldest first.

    \b
    Examples:
      appservices users list --app myapp
      appservices users list --app myapp-abcde --type server
      appservices users list --app myapp --type email --status disabled --json
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    params: dict[str, str] = {}
    if user_types:
        params["provider_types"] = ",".join(sorted({USER_FILTERS[kind][0]
                                                    for kind in user_types}))
    if status:
        params["status"] = status
    found = [
        user for user in all_users(context, app, params)
        if not user_types or any(USER_FILTERS[kind][1](user) for kind in user_types)
    ]
    output.emit_rows(found, USER_COLUMNS, as_json=as_json, empty=f"No users in {app.label}.")


def all_users(context: AdminContext, app: AppRef, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every page of the app's users: the Admin API gives 50 a page, after the last `_id`."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = context.client.get(f"{app.path}/users",
                                  params={**params, **({"after": after} if after else {})})
        if not page:
            return found
        found += page
        last = str(page[-1]["_id"])
        if last == after:  # a server that ignores `after` must not loop forever
            return found
        after = last


def _user_path(_context: AdminContext, app: AppRef, ref: str) -> tuple[str, str]:
    return f"{app.path}/users/{ref}", f"user {ref}"


def _user_action(command: str, method: str, suffix: str, done: str, summary: str,
                 example: str, confirm_consequence: str | None = None) -> click.Command:
    return row_action(
        users, command, method=method, suffix=suffix, done=done, locate=_user_path,
        confirm_consequence=confirm_consequence,
        help_text=(f"{summary}\n\n\b\nExamples:\n  {example}\n"
                   f"  appservices users {command} --user ID  # asks for the app"),
        row_option=click.option("--user", "ref", required=True, metavar="ID",
                                help="The user's _id (see `appservices users list`)."),
    )


_user_action("disable", "PUT", "/disable", "Disabled",
             "Disable a user: its sessions end and it can no longer log in.",
             "appservices users disable --app myapp --user 65f0c0ffee0000000000beef")
_user_action("enable", "PUT", "/enable", "Enabled",
             "Enable a disabled user again.",
             "appservices users enable --app myapp --user 65f0c0ffee0000000000beef")
_user_action("delete", "DELETE", "", "Deleted",
             "Delete a user with its identities, API keys and sessions. Asks first; --yes "
             "skips the question (needed without a terminal).",
             "appservices users delete --app myapp --user 65f0c0ffee0000000000beef --yes",
             confirm_consequence=", with its identities, API keys and sessions")
_user_action("revoke", "PUT", "/logout", "Revoked the sessions of",
             "Revoke a user's sessions (log it out everywhere); it may log in again.",
             "appservices users revoke --app myapp --user 65f0c0ffee0000000000beef")


PENDING_COLUMNS: list[output.Column] = [
    ("_ID", lambda pending: pending["_id"]),
    ("EMAIL", lambda pending: ",".join(str(login.get("id"))
                                       for login in pending.get("login_ids", []))),
]


@users.command("pending")
@app_option
@group_option
@profile_option
@json_option
def list_pending(app_ref: str | None, group_id: str | None, profile: str,
                 as_json: bool) -> None:
    """List registrations waiting for confirmation (all pages), oldest first.

    An email/password provider without autoConfirm keeps each registration pending
    until an admin confirms it: `appservices users confirm`.

    \b
    Examples:
      appservices users pending --app myapp
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    found: list[dict[str, Any]] = []
    while True:
        params = {"after": str(found[-1]["_id"])} if found else {}
        page = context.client.get(f"{app.path}/user_registrations/pending_users",
                                  params=params)
        if not page or (found and page[-1]["_id"] == found[-1]["_id"]):
            break
        found += page
    output.emit_rows(found, PENDING_COLUMNS, as_json=as_json,
                     empty=f"No pending users in {app.label}.")


@users.command("confirm")
@app_option
@click.option("--email", required=True, metavar="EMAIL", help="The pending user's email.")
@group_option
@profile_option
def confirm_user(app_ref: str | None, email: str, group_id: str | None, profile: str) -> None:
    """Confirm a pending registration: the user may log in from now on.

    \b
    Examples:
      appservices users confirm --app myapp --email ada@example.com
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    context.client.post(
        f"{app.path}/user_registrations/by_email/{quote(email, safe='')}/confirm")
    click.echo(f"Confirmed {email} in app {app.label}: it may log in now.")
