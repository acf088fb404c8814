"""`appservices pull` and `appservices push`: an app's configuration as files.

The layout is the App Services CLI's, reduced to what this service has:

    DIR/realm_config.json     which app the folder belongs to (`app_id` = client App ID)
    DIR/auth/providers.json   one entry per authentication provider, keyed by its name:
                              {"api-key": {"name": "api-key", "type": "api-key",
                                           "disabled": false}, ...}
                              with "config" only when it is not empty.

`push` checks every entry before it calls the server, and calls nothing when any entry is
wrong. A provider that the server has and the file lacks is kept unless
`--delete-missing` is given: leaving an entry out is then never a way to lose a provider
by accident.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from app.cli import output
from app.cli.context import AdminContext, AppRef
from app.cli.options import app_option, confirm, group_option, profile_option, yes_option

APP_FILE = "realm_config.json"
PROVIDERS_FILE = Path("auth") / "providers.json"
CONFIG_VERSION = 20210101
TYPES = ("api-key", "anon-user", "local-userpass")
TYPES_WITHOUT_CONFIG = ("api-key", "anon-user")
ENTRY_FIELDS = ("name", "type", "disabled", "config")
# Applied first: the server checks its configuration fields, so if it refuses them, it
# does so before anything else has changed.
CONFIGURABLE_FIRST = "local-userpass"


class InvalidFile(click.ClickException):
    """A configuration file cannot be pushed; each problem is one line naming the entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems

    def show(self, file: Any = None) -> None:
        for problem in self.problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo("Nothing was changed.", err=True)


@dataclass(frozen=True)
class Provider:
    """A provider as a file states it, or as the server has it (with its `_id`)."""

    type: str
    disabled: bool
    config: dict[str, Any]
    id: str = ""

    def entry(self) -> dict[str, Any]:
        """The provider's entry in auth/providers.json."""
        entry: dict[str, Any] = {"name": self.type, "type": self.type,
                                 "disabled": self.disabled}
        if self.config:
            entry["config"] = self.config
        return entry


@dataclass(frozen=True)
class Change:
    """One call of the Admin API that `push` will make, and how to describe it."""

    symbol: str  # "+" create, "~" change, "-" delete
    provider_type: str
    description: str
    method: str
    path: str
    body: dict[str, Any] | None = None


# --- reading and checking the files -------------------------------------------------------


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'"{key}" appears twice in one object')
        result[key] = value
    return result


def read_json(path: Path) -> Any:
    """Parse a JSON file, refusing a key given twice (the second would silently win)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidFile([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidFile([f"{path}: cannot read it: {error}"]) from None
    try:
        return json.loads(text, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as error:
        raise InvalidFile([f"{path}: not valid JSON: {error.msg} at line {error.lineno}, "
                           f"column {error.colno}"]) from None
    except ValueError as error:
        raise InvalidFile([f"{path}: {error}"]) from None


def _entry_problems(key: str, entry: object) -> list[str]:
    """What is wrong with one entry of auth/providers.json (nothing when it is right)."""
    if not isinstance(entry, dict):
        return [f'must be an object like {{"name": "{key}", "type": "{key}", '
                '"disabled": false}']
    problems = [f'unknown field "{field}" (an entry has name, type, disabled and config)'
                for field in entry if field not in ENTRY_FIELDS]
    provider_type = entry.get("type")
    name = entry.get("name")
    if provider_type is None:
        problems.append('"type" is missing')
    elif provider_type not in TYPES:
        problems.append(f"unknown provider type {json.dumps(provider_type)}; the types are "
                        + ", ".join(TYPES))
    if name is None:
        problems.append('"name" is missing; a provider\'s name is always its type')
    elif provider_type in TYPES and name != provider_type:
        problems.append(f"name {json.dumps(name)} differs from its type "
                        f'"{provider_type}": the name of an authentication provider is '
                        "always the same as its type")
    if isinstance(name, str) and name == provider_type and key != name:
        problems.append(f'is keyed "{key}" but named "{name}": each entry is keyed by its '
                        "name")
    elif provider_type not in TYPES and isinstance(name, str) and key != name:
        problems.append(f'is keyed "{key}" but named {json.dumps(name)}: each entry is keyed '
                        "by its name")
    disabled = entry.get("disabled")
    if disabled is None:
        problems.append('"disabled" is missing (true or false)')
    elif not isinstance(disabled, bool):
        problems.append(f'"disabled" must be true or false, not {json.dumps(disabled)}')
    config = entry.get("config", {})
    if not isinstance(config, dict):
        problems.append('"config" must be an object')
    elif config and provider_type in TYPES_WITHOUT_CONFIG:
        problems.append(f'the "{provider_type}" provider has no configuration options: '
                        f'remove "config" (it has {", ".join(sorted(config))})')
    return problems


def read_providers(directory: Path) -> dict[str, Provider]:
    """Read and check DIR/auth/providers.json; refuse it whole when any entry is wrong."""
    path = directory / PROVIDERS_FILE
    document = read_json(path)
    if not isinstance(document, dict):
        raise InvalidFile([f'{path}: must be an object of providers keyed by name, e.g. '
                           '{"api-key": {"name": "api-key", "type": "api-key", '
                           '"disabled": false}}'])
    problems = [f'{path}: entry "{key}": {problem}'
                for key, entry in document.items() for problem in _entry_problems(key, entry)]
    if problems:
        raise InvalidFile(problems)
    return {key: Provider(type=entry["type"], disabled=entry["disabled"],
                          config=entry.get("config", {}))
            for key, entry in document.items()}


def app_id_of(directory: Path) -> str | None:
    """The client App ID that DIR/realm_config.json names, None when there is no file."""
    path = directory / APP_FILE
    if not path.exists():
        return None
    document = read_json(path)
    app_id = document.get("app_id") if isinstance(document, dict) else None
    if not isinstance(app_id, str) or not app_id:
        raise InvalidFile([f'{path}: "app_id" (the client App ID) is missing'])
    return app_id


# --- the server's side -------------------------------------------------------------------


def server_providers(context: AdminContext, app: AppRef) -> dict[str, Provider]:
    """The app's providers with their configuration, keyed by type."""
    found: dict[str, Provider] = {}
    for summary in context.client.get(f"{app.path}/auth_providers"):
        detail = context.client.get(f"{app.path}/auth_providers/{summary['_id']}")
        found[str(detail["type"])] = Provider(
            type=str(detail["type"]), disabled=bool(detail["disabled"]),
            config=dict(detail.get("config") or {}), id=str(detail["_id"]),
        )
    return found


def _canonical(config: dict[str, Any]) -> str:
    # json.dumps tells true from 1, which == does not.
    return json.dumps(config, sort_keys=True)


def _state(disabled: bool) -> str:
    return "disabled" if disabled else "enabled"


def plan(wanted: dict[str, Provider], current: dict[str, Provider], app: AppRef, *,
         delete_missing: bool) -> tuple[list[Change], list[str]]:
    """The changes that make the server match the file, and the providers kept as they are."""
    providers_path = f"{app.path}/auth_providers"
    changes: list[Change] = []
    ordered = sorted(wanted.values(), key=lambda provider: provider.type != CONFIGURABLE_FIRST)
    for provider in ordered:
        now = current.get(provider.type)
        if now is None:
            config = f", config {_canonical(provider.config)}" if provider.config else ""
            changes.append(Change(
                "+", provider.type, f"create, {_state(provider.disabled)}{config}", "POST",
                providers_path, {"name": provider.type, "type": provider.type,
                                 "disabled": provider.disabled, "config": provider.config},
            ))
            continue
        path = f"{providers_path}/{now.id}"
        toggle = "enable" if not provider.disabled else "disable"
        if _canonical(provider.config) != _canonical(now.config):
            body: dict[str, Any] = {"config": provider.config}
            description = f"config {_canonical(now.config)} -> {_canonical(provider.config)}"
            if provider.disabled != now.disabled:
                body["disabled"] = provider.disabled
                description = f"{toggle}, {description}"
            changes.append(Change("~", provider.type, description, "PATCH", path, body))
        elif provider.disabled != now.disabled:
            changes.append(Change("~", provider.type, toggle, "PUT", f"{path}/{toggle}"))
    kept: list[str] = []
    for provider_type, now in current.items():
        if provider_type in wanted:
            continue
        if delete_missing:
            changes.append(Change("-", provider_type, "delete", "DELETE",
                                  f"{providers_path}/{now.id}"))
        else:
            kept.append(provider_type)
    return changes, kept


def _show(lines: Iterable[tuple[str, str, str]]) -> None:
    rows = list(lines)
    width = max(len(provider_type) for _, provider_type, _ in rows)
    for symbol, provider_type, description in rows:
        click.echo(f"  {symbol} {provider_type.ljust(width)}  {description}")


def _write_json(path: Path, document: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from None


# --- the commands ------------------------------------------------------------------------


@click.command()
@click.option("--local", "directory", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the configuration into (created when missing).")
@app_option
@yes_option
@group_option
@profile_option
def pull(directory: Path, app_ref: str | None, yes: bool, group_id: str | None,
         profile: str) -> None:
    """Write an app's configuration into a folder.

    Writes DIR/realm_config.json (which app) and DIR/auth/providers.json, which has
    one entry per authentication provider, keyed by its name,
    e.g. {"api-key": {"name": "api-key", "type": "api-key", "disabled": true}}; edit it
    and apply it with `appservices push`. Without --app, a folder pulled before is pulled
    again from its own app. A folder that holds other files (and is not an app's
    configuration) is written into only after a question; --yes skips it.

    \b
    Examples:
      appservices pull --local ./myapp --app myapp-abcde
      appservices pull --local ./myapp            # again, into the same folder
    """
    pulled_before = app_id_of(directory) if directory.is_dir() else None
    context = AdminContext.open(profile)
    app = context.choose_app(app_ref or pulled_before, group_id)
    if pulled_before is not None and pulled_before != app.client_app_id:
        raise click.ClickException(
            f"{directory / APP_FILE} belongs to app {pulled_before}, not {app.client_app_id}: "
            "pull into another folder (nothing was written)"
        )
    if pulled_before is None and directory.is_dir() and any(directory.iterdir()):
        # Most likely a mistyped folder (the project's own, a home folder): pull writes
        # auth/ and realm_config.json among files that have nothing to do with them.
        confirm(f"{directory} holds other files and no app's configuration: write "
                f"{APP_FILE} and {PROVIDERS_FILE} into it anyway?", yes=yes,
                action=f"pull into {directory}, which holds other files")
    providers = server_providers(context, app)
    app_document = {"config_version": CONFIG_VERSION, "app_id": app.client_app_id,
                    "name": app.name}
    providers_document = {provider.type: provider.entry() for provider in providers.values()}
    _write_json(directory / APP_FILE, app_document)
    _write_json(directory / PROVIDERS_FILE, providers_document)
    click.echo(f"Pulled app {app.label} into {directory}: {APP_FILE}, {PROVIDERS_FILE} "
               f"({len(providers)} provider{'s' if len(providers) != 1 else ''}).")


@click.command()
@click.option("--local", "directory", required=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The folder written by `appservices pull` (after your edits).")
@click.option("--app", "app_ref", metavar="APP",
              help="The app to push to (client App ID, _id or name). [default: the app "
                   "named in DIR/realm_config.json]")
@click.option("--delete-missing", is_flag=True,
              help="Also delete the providers the app has and auth/providers.json lacks. "
                   "Without it they are kept and listed.")
@yes_option
@group_option
@profile_option
def push(directory: Path, app_ref: str | None, delete_missing: bool, yes: bool,
         group_id: str | None, profile: str) -> None:
    """Apply a folder's auth/providers.json to its app.

    Every entry is checked first; when any is wrong (its key is not its name, its name
    is not its type, an unknown type, "disabled" not true/false, "config" on a provider
    that has none), push names the file and the entry and changes nothing. Then it shows
    the difference (+ create, ~ enable, disable or change config, - delete) and asks
    before applying it; --yes skips the question (needed without a terminal).

    Providers the app has but the file lacks are KEPT unless --delete-missing is given.
    The app is the one named in realm_config.json unless --app says otherwise.

    \b
    Examples:
      appservices pull --local ./myapp --app myapp-abcde
      # edit ./myapp/auth/providers.json: "disabled": false
      appservices push --local ./myapp
      appservices push --local ./myapp --yes --delete-missing
    """
    app_ref = app_ref or app_id_of(directory)
    if app_ref is None:
        raise click.UsageError(
            f"{directory / APP_FILE} does not exist: pass --app, or `appservices pull` "
            "into the folder first"
        )
    wanted = read_providers(directory)
    context = AdminContext.open(profile)
    app = context.find_app(app_ref, group_id)
    changes, kept = plan(wanted, server_providers(context, app), app,
                         delete_missing=delete_missing)
    kept_lines = [("=", provider_type, "not in the file: kept (--delete-missing deletes it)")
                  for provider_type in kept]
    if not changes:
        click.echo(f"Nothing to change: app {app.label} already matches {directory}.")
        if kept_lines:
            _show(kept_lines)
        return
    click.echo(f"Changes to app {app.label} from {directory / PROVIDERS_FILE}:")
    _show([(change.symbol, change.provider_type, change.description) for change in changes]
          + kept_lines)
    count = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
    confirm(f"Apply {count} to {app.label}?", yes=yes, action=f"push {count}")
    for applied, change in enumerate(changes):
        try:
            context.client.request(change.method, change.path, json=change.body)
        except click.ClickException:
            if applied:
                output.note(f"{applied} of {len(changes)} changes were applied before this "
                            "error.")
            raise
    click.echo(f"Pushed {count} to app {app.label}.")
