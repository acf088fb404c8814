"""The logged-in admin of a profile: its Admin API client, its groups, and finding apps.

Every path under `/apps/{appId}` of the Admin API takes the app's `_id`; people know
their app by its client App ID (`myapp-abcde`, what the SDKs are configured with) or by
its name. `find_app` accepts all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import click

from app.cli import profiles
from app.cli.http_client import AdminClient
from app.cli.options import (
    app_option,
    confirm,
    group_option,
    profile_option,
    prompt_for,
    yes_option,
)

LOGIN_COMMAND = "appservices login --api-key <public key> --private-api-key <private key>"


@dataclass(frozen=True)
class AppRef:
    """An app as the commands need it."""

    id: str
    client_app_id: str
    name: str
    group_id: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> AppRef:
        return cls(id=str(body["_id"]), client_app_id=str(body["client_app_id"]),
                   name=str(body["name"]), group_id=str(body["group_id"]))

    @property
    def path(self) -> str:
        """The Admin API path of the app."""
        return f"/groups/{self.group_id}/apps/{self.id}"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.client_app_id})"


class AdminContext:
    """A saved login, ready to call its server."""

    def __init__(self, profile: profiles.Profile) -> None:
        self.profile = profile
        self.client = AdminClient(
            profile.url, access_token=profile.access_token,
            refresh_token=profile.refresh_token, on_refresh=self._keep_access_token,
            login_hint=login_command(profile.name, profile.public_key),
        )
        self._group_ids: list[str] | None = None

    @classmethod
    def open(cls, profile_name: str) -> AdminContext:
        """Load the profile, or tell the user how to log in."""
        profile = profiles.load(profile_name)
        if profile is None:
            raise click.ClickException(
                f"not logged in (profile '{profile_name}'): run "
                f"`{login_command(profile_name)}`"
            )
        return cls(profile)

    def _keep_access_token(self, access_token: str) -> None:
        self.profile = replace(self.profile, access_token=access_token)
        profiles.save(self.profile)

    # --- groups ------------------------------------------------------------------------

    def admin_profile(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/auth/profile")
        self._group_ids = [str(role["group_id"]) for role in body.get("roles", [])]
        return body

    def group_ids(self) -> list[str]:
        """The groups the admin key is granted, from the server."""
        if self._group_ids is None:
            self.admin_profile()
        assert self._group_ids is not None
        return self._group_ids

    def group(self, group_id: str | None) -> str:
        """The group to work in: `group_id` when given, else the admin's only group."""
        granted = self.group_ids()
        if group_id:
            if group_id not in granted:
                raise click.ClickException(
                    f"your admin key is not granted group '{group_id}'; it is granted: "
                    + (", ".join(granted) or "none")
                )
            return group_id
        if len(granted) == 1:
            return granted[0]
        if not granted:
            raise click.ClickException("your admin key is granted no group")
        raise click.UsageError(
            "your admin key is granted several groups: pass --group with one of "
            + ", ".join(granted)
        )

    # --- apps ----------------------------------------------------------------------------

    def apps(self, group_id: str | None = None) -> list[AppRef]:
        """The apps of `group_id`, or of every group the admin is granted."""
        groups = [self.group(group_id)] if group_id else self.group_ids()
        found: list[AppRef] = []
        for group in groups:
            found += [AppRef.from_json(body) for body in self.client.get(f"/groups/{group}/apps")]
        return found

    def find_app(self, ref: str, group_id: str | None = None,
                 apps: list[AppRef] | None = None) -> AppRef:
        """The app whose `_id`, client App ID or (unambiguous) name is `ref`."""
        candidates = self.apps(group_id) if apps is None else apps
        exact = [app for app in candidates if ref in (app.id, app.client_app_id)]
        if exact:
            return exact[0]
        named = [app for app in candidates if app.name == ref]
        if len(named) == 1:
            return named[0]
        if named:
            raise click.ClickException(
                f"several apps are named '{ref}': "
                + ", ".join(f"{app.client_app_id} (group {app.group_id})" for app in named)
                + "; pass the client App ID instead"
            )
        raise click.ClickException(
            f"no app '{ref}' among the apps you can reach: give its client App ID, its _id "
            "or its name (see `appservices apps list`)"
        )

    def choose_app(self, ref: str | None, group_id: str | None = None) -> AppRef:
        """`find_app(ref)`, asking for the App ID first when `ref` was not given."""
        if ref:
            return self.find_app(ref, group_id)
        apps = self.apps(group_id)
        if not apps:
            raise click.ClickException(
                "you have no app yet: create one with `appservices apps create --name NAME`"
            )
        only = apps[0].client_app_id if len(apps) == 1 else None
        return self.find_app(prompt_for("App ID", option="--app", default=only),
                             group_id, apps)


def login_command(profile_name: str, public_key: str | None = None) -> str:
    """The command that logs this profile in (again: its URL is kept until logout)."""
    command = LOGIN_COMMAND
    if public_key:
        command = command.replace("<public key>", public_key)
    if profile_name != profiles.DEFAULT_PROFILE:
        command += f" --profile {profile_name}"
    return command


# Where one row of an app is (its Admin API path, without the action's suffix), and how
# the command names it, from the reference the person gave.
Locate = Callable[[AdminContext, AppRef, str], tuple[str, str]]


def row_action(group: click.Group, command: str, *, help_text: str,
               row_option: Callable[[Any], Any], locate: Locate, method: str, suffix: str,
               done: str, confirm_consequence: str | None = None) -> click.Command:
    """Add a command that does one thing to one row of an app (enable, delete, ...).

    It takes --app, the row's own option (whose value is passed as `ref`), --group and
    --profile, sends `method` to the row's path plus `suffix`, and says what it did. With
    `confirm_consequence` (what else goes, for a deletion) it asks first, as `apps delete`
    does, and takes --yes; without a terminal it refuses unless --yes is given.
    """
    def action(app_ref: str | None, ref: str, group_id: str | None, profile: str,
               yes: bool = False) -> None:
        context = AdminContext.open(profile)
        app = context.choose_app(app_ref, group_id)
        path, label = locate(context, app, ref)
        if confirm_consequence is not None:
            confirm(f"{command.capitalize()} {label} of app {app.label}"
                    f"{confirm_consequence}?", yes=yes, action=f"{command} {label}")
        context.client.request(method, f"{path}{suffix}")
        click.echo(f"{done} {label} of app {app.label}.")

    decorated: Callable[..., None] = action
    if confirm_consequence is not None:
        decorated = yes_option(decorated)
    decorated = app_option(row_option(group_option(profile_option(decorated))))
    return group.command(command, help=help_text)(decorated)
