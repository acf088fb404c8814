"""Options, prompts and confirmations that several commands share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from app.cli import profiles

F = TypeVar("F", bound=Callable[..., Any])


def _complete_profiles(_ctx: click.Context, _param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(name) for name in profiles.names() if name.startswith(incomplete)]


def profile_option(function: F) -> F:
    return click.option(
        "--profile", default=profiles.DEFAULT_PROFILE, show_default=True,
        envvar="APPSERVICES_PROFILE", metavar="NAME", shell_complete=_complete_profiles,
        help="The login profile to use (env APPSERVICES_PROFILE).",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON for scripts instead of a table.")(function)


def app_option(function: F) -> F:
    return click.option(
        "--app", "app_ref", metavar="APP",
        help="The app: its client App ID (myapp-abcde), its _id, or its name when no other "
             "app you can reach has that name. Prompted for when missing.",
    )(function)


def group_option(function: F) -> F:
    return click.option(
        "--group", "--project", "group_id", metavar="ID",
        help="The group (Atlas project) id; needed only when your admin key is granted "
             "several groups.",
    )(function)


def yes_option(function: F) -> F:
    return click.option("--yes", "-y", is_flag=True,
                        help="Do not ask for confirmation.")(function)


def stdin_is_interactive() -> bool:
    """Whether a person can answer a question (standard input is a terminal)."""
    return sys.stdin.isatty()


def prompt_for(text: str, *, option: str, hide_input: bool = False,
               confirmation: bool = False, default: str | None = None,
               choices: list[str] | None = None) -> str:
    """Ask for a value that was not given as `option`.

    Prompts go to stderr, so that `--json` output stays clean. With no terminal and
    nothing left on standard input, say which option was missing instead of "Aborted!".
    """
    try:
        value: str = click.prompt(text, hide_input=hide_input,
                                  confirmation_prompt=confirmation, default=default,
                                  err=True,
                                  type=click.Choice(choices) if choices else str)
    except click.Abort:
        if stdin_is_interactive():
            raise
        raise click.UsageError(
            f"missing {option} (there is no terminal to ask on)"
        ) from None
    value = value.strip() if not hide_input else value
    if not value:
        raise click.UsageError(f"{option} must not be empty")
    return value


def confirm(question: str, *, yes: bool, action: str) -> None:
    """Go on when `--yes` was given or the person says yes; stop otherwise."""
    if yes:
        return
    if not stdin_is_interactive():
        raise click.ClickException(
            f"refusing to {action} without confirmation: standard input is not a terminal; "
            "pass --yes to go ahead"
        )
    if not click.confirm(question, default=False, err=True):
        raise click.ClickException("cancelled: nothing was changed")
