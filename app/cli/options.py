"""Options, prompts and confirmations that several commands share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from app.cli import profiles

F = TypeVar("F", bound=Callable[..., Any])


def _complete_profiles(_ctx: click.Context, _param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(name) for name in profiles.names() if name.startswith(incomplete)]


# --profile and --url given before the subcommand (`appservices apikeys --profile x list`,
# `appservices --url ... login`) are kept here, in the context's `meta`, which click shares
# with every context nested in it; the subcommand's own option takes them as its value
# unless it was given on the subcommand itself.
_GIVEN_BEFORE = "appservices.given_before"


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and param.name:
        ctx.meta.setdefault(_GIVEN_BEFORE, {})[param.name] = value


def given_before(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """The option's value: its own when given on the subcommand, else a group's."""
    earlier = ctx.meta.get(_GIVEN_BEFORE, {})
    if (param.name in earlier
            and ctx.get_parameter_source(param.name or "") is not ParameterSource.COMMANDLINE):
        return earlier[param.name]
    return value


def profile_option(function: F) -> F:
    return click.option(
        "--profile", default=profiles.DEFAULT_PROFILE, show_default=True,
        envvar="APPSERVICES_PROFILE", metavar="NAME", shell_complete=_complete_profiles,
        callback=given_before,
        help="The login profile to use (env APPSERVICES_PROFILE).",
    )(function)


def group_profile_option(function: F) -> F:
    """--profile on a command group: what its subcommands use unless given their own."""
    return click.option(
        "--profile", metavar="NAME", expose_value=False, callback=_remember,
        shell_complete=_complete_profiles,
        help="The login profile the subcommand uses (also accepted after it).",
    )(function)


def group_url_option(function: F) -> F:
    """--url on the top command: what `login` uses unless given its own."""
    return click.option(
        "--url", metavar="URL", expose_value=False, callback=_remember,
        help="The server's base URL for `login` (also accepted after it).",
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
