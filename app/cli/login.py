"""`appservices login`, `logout` and `whoami`."""

from __future__ import annotations

import os

import click

from app.cli import output, profiles
from app.cli.context import AdminContext
from app.cli.http_client import DEFAULT_URL, AdminClient, normalise_url
from app.cli.options import given_before, json_option, profile_option, prompt_for


@click.command()
@click.option("--api-key", "public_key", metavar="PUBLIC_KEY",
              help="The public key of your admin key pair. Prompted for when missing.")
@click.option("--private-api-key", "private_key", metavar="PRIVATE_KEY",
              help="The private key of the pair. Prompted for (hidden) when missing. "
                   "It is sent once and never stored.")
@click.option("--url", metavar="URL", callback=given_before,
              help=f"The server's base URL (env APPSERVICES_URL). [default: the profile's "
                   f"URL when it has one, else {DEFAULT_URL}]")
@profile_option
def login(public_key: str | None, private_key: str | None, url: str | None,
          profile: str) -> None:
    """Log in with an admin key pair; keep the session in a profile.

    The profile (a file of mode 0600 under ~/.config/appservices/profiles, or
    $APPSERVICES_CONFIG_DIR) keeps the URL, the public key and the session's tokens, never
    the private key. Access tokens are renewed silently; when the session ends (after a
    day by default), log in again.

    \b
    Examples:
      appservices login --api-key quickstart --private-api-key quickstart-private-key-change-me
      appservices login --api-key ops --private-api-key "$PRIVATE" --url https://auth.example.com
      appservices login --api-key ops --profile staging --url http://staging:8080
      appservices login        # asks for both keys
    """
    profiles.validate_name(profile)
    previous = profiles.load(profile)
    base_url = normalise_url(
        url or os.environ.get("APPSERVICES_URL") or (previous.url if previous else DEFAULT_URL)
    )
    if not public_key:
        public_key = prompt_for("API key (public)", option="--api-key")
    if not private_key:
        private_key = prompt_for("Private API key", option="--private-api-key",
                                 hide_input=True)
    client = AdminClient(base_url)
    tokens = client.login(public_key, private_key)
    admin_profile = client.get("/auth/profile")
    profiles.save(profiles.Profile(
        name=profile, url=base_url, public_key=public_key, access_token=tokens.access_token,
        refresh_token=tokens.refresh_token, user_id=tokens.user_id,
    ))
    if previous is not None and previous.refresh_token:
        _end_quietly(previous)
    groups = [role["group_id"] for role in admin_profile.get("roles", [])]
    click.echo(f"Logged in to {base_url} as {public_key} (profile '{profile}').")
    if groups:
        output.note("Groups: " + ", ".join(groups))


def _end_quietly(previous: profiles.Profile) -> None:
    """End the session a profile held before it was replaced; it no longer matters if not."""
    try:
        AdminClient(previous.url, refresh_token=previous.refresh_token).logout()
    except click.ClickException:
        pass


@click.command()
@profile_option
def logout(profile: str) -> None:
    """End the session on the server and forget the profile.

    \b
    Examples:
      appservices logout
      appservices logout --profile staging
    """
    saved = profiles.load(profile)
    if saved is None:
        click.echo(f"Not logged in (profile '{profile}').")
        return
    try:
        AdminClient(saved.url, refresh_token=saved.refresh_token).logout()
    except click.ClickException as error:
        output.note(f"Warning: the server did not end the session ({error.message}); "
                    "the profile is forgotten anyway.")
    profiles.delete(profile)
    click.echo(f"Logged out of {saved.url} (profile '{profile}').")


@click.command()
@profile_option
@json_option
def whoami(profile: str, as_json: bool) -> None:
    """Show the logged-in admin, its server and its groups.

    \b
    Examples:
      appservices whoami
      appservices whoami --profile staging --json
    """
    context = AdminContext.open(profile)
    body = context.admin_profile()
    roles = body.get("roles", [])
    groups = [str(role["group_id"]) for role in roles]
    if as_json:
        output.emit_json({"profile": profile, "url": context.profile.url,
                          "public_key": context.profile.public_key,
                          "user_id": body.get("user_id", ""), "groups": groups,
                          "group_names": {str(role["group_id"]): role.get("group_name", "")
                                          for role in roles}})
        return
    click.echo(f"Profile:     {profile}")
    click.echo(f"URL:         {context.profile.url}")
    click.echo(f"Public key:  {context.profile.public_key}")
    # A server of an earlier release sends ids only: show what there is.
    named = [f"{role['group_name']} ({role['group_id']})" if role.get("group_name")
             else str(role["group_id"]) for role in roles]
    click.echo(f"Groups:      {', '.join(named) or '-'}")
