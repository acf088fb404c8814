"""`appservices apikeys list | create | roll | enable | disable | delete`: server API keys.

Named after the Admin API's `api_keys`. A server key is also created, as the App Services
documentation does it, with `appservices users create --type=api-key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from app.cli import durations, output
from app.cli.context import AdminContext, AppRef, row_action
from app.cli.options import (
    app_option,
    group_option,
    group_profile_option,
    json_option,
    profile_option,
)
from app.cli.users import KEY_WARNING, create_server_key

KEY_COLUMNS: list[output.Column] = [
    ("NAME", lambda key: key["name"]),
    ("_ID", lambda key: key["_id"]),
    ("STATUS", lambda key: output.status(key.get("disabled"))),
]


def _last_used(key: Mapping[str, Any]) -> str:
    """When and from where the key last logged in (the Admin API's `last_used`), or `-`."""
    used = key.get("last_used")
    if not isinstance(used, dict):
        return "-"
    address = used.get("ip_address")
    return output.timestamp(used.get("date")) + (f" from {address}" if address else "")


LAST_USED_COLUMN: output.Column = ("LAST USED", _last_used)
# Shown only when some key of the list expires (most never do: no column of dashes).
EXPIRES_COLUMN: output.Column = ("EXPIRES", lambda key: output.timestamp(key.get("expires_at")))


@click.group("apikeys")
@group_profile_option
def api_keys() -> None:
    """Manage an app's server API keys.

    List, create, roll, enable, disable and delete them. Key values are shown once, when
    a key is created or rolled, and never again: `apikeys list` shows names, states,
    expiries and last logins only. `apikeys create` is the same as `appservices users create
    --type=api-key` (plus `--expires`).

    \b
    Examples:
      appservices apikeys list --app myapp
      appservices apikeys create --app myapp --name nightly --expires 30d
      appservices apikeys roll --app myapp --api-key reporting --grace 1h
      appservices apikeys disable --app myapp --key reporting
      appservices apikeys enable --app myapp --key reporting
      appservices apikeys delete --app myapp --key 65f0c0ffee0000000000beef
    """


@api_keys.command("list")
@app_option
@group_option
@profile_option
@json_option
def list_keys(app_ref: str | None, group_id: str | None, profile: str, as_json: bool) -> None:
    """List the app's server API keys: names, ids, states, expiries and last logins (when
    and from which address), never the values.

    \b
    Examples:
      appservices apikeys list --app myapp
      appservices apikeys list --app myapp-abcde --json
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    keys = context.client.get(f"{app.path}/api_keys")
    expiring = any(key.get("expires_at") for key in keys)
    columns = [*KEY_COLUMNS, EXPIRES_COLUMN] if expiring else [*KEY_COLUMNS]
    output.emit_rows(keys, [*columns, LAST_USED_COLUMN], as_json=as_json,
                     empty=f"No server API keys in {app.label}.")
    _say_when_the_provider_is_disabled(context, app)


def _say_when_the_provider_is_disabled(context: AdminContext, app: AppRef) -> None:
    """Keys listed as enabled log nobody in while the provider is off: say so (stderr)."""
    providers: list[dict[str, Any]] = context.client.get(f"{app.path}/auth_providers")
    if any(provider.get("type") == "api-key" and not provider.get("disabled")
           for provider in providers):
        return
    output.note(f"The API key provider of app {app.label} is disabled: no key logs in and "
                "no key can be created until it is enabled (`appservices pull`, set "
                '"disabled" to false in auth/providers.json, `appservices push`).')


@api_keys.command("create")
@app_option
@click.option("--name", metavar="NAME",
              help="The key's name, unique in the app. Prompted for when missing.")
@click.option("--expires", metavar="WHEN",
              help="Make the key expire: a duration from now (30d, 12h) or an ISO-8601 "
                   "time (2027-01-31T12:00:00Z). Without it the key never expires.")
@group_option
@profile_option
@json_option
def create_key(app_ref: str | None, name: str | None, expires: str | None,
               group_id: str | None, profile: str, as_json: bool) -> None:
    """Create a server API key and print its value once (= users create --type=api-key).

    \b
    Examples:
      appservices apikeys create --app myapp --name reporting
      appservices apikeys create --app myapp --name nightly --expires 30d
    """
    expires_at = None if expires is None else durations.unix_time(expires, "--expires")
    context = AdminContext.open(profile)
    create_server_key(context, context.choose_app(app_ref, group_id), name, as_json=as_json,
                      expires_at=expires_at)


@api_keys.command("roll")
@app_option
@click.option("--key", "--api-key", "key_ref", required=True, metavar="KEY",
              help="The key's name or _id (never its value).")
@click.option("--grace", default="0", show_default=True, metavar="DURATION",
              help="How long the old value keeps logging in: 0 (it stops at once, and the "
                   "sessions it opened end) to 7d; e.g. 90s, 30m, 1h, 2d.")
@group_option
@profile_option
@json_option
def roll_key(app_ref: str | None, key_ref: str, grace: str, group_id: str | None,
             profile: str, as_json: bool) -> None:
    """Give a server API key a new value and print it once; the key keeps its _id and its
    server user. The old value keeps logging in for the grace period, then never again.

    \b
    Examples:
      appservices apikeys roll --app myapp --api-key reporting
      appservices apikeys roll --app myapp-abcde --api-key reporting --grace 1h --json
    """
    grace_seconds = durations.seconds(grace, "--grace")
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    key = find_key(context, app, key_ref)
    body = context.client.post(f"{app.path}/api_keys/{key['_id']}/roll",
                               json={"grace_period_seconds": grace_seconds})
    if as_json:
        output.emit_json(body)
    else:
        click.echo(f"Rolled server API key '{body['name']}' of app {app.label}.")
        click.echo(f"  _id:  {body['_id']}")
        click.echo(f"  Key:  {body['key']}")
        until = body.get("previous_key_valid_until")
        click.echo(f"  Old value: logs in until {output.timestamp(until)}" if until
                   else "  Old value: stopped now; the sessions it opened ended")
    output.note(KEY_WARNING)


def find_key(context: AdminContext, app: AppRef, ref: str) -> dict[str, Any]:
    """The app's server key whose `_id` or name is `ref`."""
    keys: list[dict[str, Any]] = context.client.get(f"{app.path}/api_keys")
    for key in keys:
        if ref in (key["_id"], key["name"]):
            return key
    raise click.ClickException(
        f"app {app.label} has no server API key named or with _id '{ref}' "
        "(see `appservices apikeys list`)"
    )


def _key_path(context: AdminContext, app: AppRef, ref: str) -> tuple[str, str]:
    key = find_key(context, app, ref)
    return f"{app.path}/api_keys/{key['_id']}", f"server API key '{key['name']}'"


def _key_action(command: str, method: str, suffix: str, done: str, summary: str,
                confirm_consequence: str | None = None) -> None:
    row_action(
        api_keys, command, method=method, suffix=suffix, done=done, locate=_key_path,
        confirm_consequence=confirm_consequence,
        help_text=(f"{summary}\n\n\b\nExamples:\n"
                   f"  appservices apikeys {command} --app myapp --key reporting\n"
                   f"  appservices apikeys {command} --app myapp-abcde "
                   "--key 65f0c0ffee0000000000beef"),
        row_option=click.option("--key", "ref", required=True, metavar="KEY",
                                help="The key's name or _id (never its value)."),
    )


_key_action("enable", "PUT", "/enable", "Enabled",
            "Enable a server API key: it logs in again.")
_key_action("disable", "PUT", "/disable", "Disabled",
            "Disable a server API key: logins with it are refused and its sessions end.")
_key_action("delete", "DELETE", "", "Deleted",
            "Delete a server API key with its server user and sessions. Asks first; --yes "
            "skips the question (needed without a terminal).",
            confirm_consequence=", with its server user and sessions")
