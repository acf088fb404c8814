"""`appservices apps create | list | delete`."""

from __future__ import annotations

import click

from app.cli import output
from app.cli.context import AdminContext, AppRef
from app.cli.options import (
    app_option,
    confirm,
    group_option,
    group_profile_option,
    json_option,
    profile_option,
    prompt_for,
    yes_option,
)

APP_COLUMNS: list[output.Column] = [
    ("NAME", lambda app: app["name"]),
    ("CLIENT APP ID", lambda app: app["client_app_id"]),
    ("_ID", lambda app: app["_id"]),
    ("GROUP", lambda app: app["group_id"]),
]


@click.group()
@group_profile_option
def apps() -> None:
    """Create, list and delete apps.

    \b
    Examples:
      appservices apps create --name myapp
      appservices apps list
      appservices apps delete --app myapp-abcde
    """


@apps.command("create")
@click.option("--name", metavar="NAME",
              help="1-32 letters, digits, '_' or '-', starting with a letter. Prompted for "
                   "when missing.")
@group_option
@profile_option
@json_option
def create_app(name: str | None, group_id: str | None, profile: str, as_json: bool) -> None:
    """Create an app. Its api-key provider exists but is disabled.

    The new app's client App ID (what SDKs and other commands take) is printed.

    \b
    Examples:
      appservices apps create --name myapp
      appservices apps create --name myapp --json
    """
    context = AdminContext.open(profile)
    group = context.group(group_id)
    name = name or prompt_for("App name", option="--name")
    body = context.client.post(f"/groups/{group}/apps", json={"name": name})
    if as_json:
        output.emit_json(body)
        return
    app = AppRef.from_json(body)
    click.echo(f"Created app {app.name}: client App ID {app.client_app_id} (_id {app.id}).")
    output.note("Its api-key provider is disabled: enable it with `appservices pull`, an "
                "edit of auth/providers.json and `appservices push` (see `appservices push "
                "--help`).")


@apps.command("list")
@group_option
@profile_option
@json_option
def list_apps(group_id: str | None, profile: str, as_json: bool) -> None:
    """List the apps of every group you may manage (or of --group).

    \b
    Examples:
      appservices apps list
      appservices apps list --json
    """
    context = AdminContext.open(profile)
    groups = [context.group(group_id)] if group_id else context.group_ids()
    rows = []
    for group in groups:
        rows += context.client.get(f"/groups/{group}/apps")
    output.emit_rows(rows, APP_COLUMNS, as_json=as_json,
                     empty="No apps yet: create one with `appservices apps create --name NAME`.")


@apps.command("delete")
@app_option
@group_option
@yes_option
@profile_option
def delete_app(app_ref: str | None, group_id: str | None, yes: bool, profile: str) -> None:
    """Delete an app with everything in it: providers, users, keys and sessions.

    Asks for confirmation first; --yes skips the question (needed without a terminal).

    \b
    Examples:
      appservices apps delete --app myapp-abcde
      appservices apps delete --app myapp --yes
    """
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref, group_id)
    confirm(f"Delete app {app.label} with all its users and keys?", yes=yes,
            action=f"delete app {app.label}")
    context.client.delete(app.path)
    click.echo(f"Deleted app {app.label}.")
