"""`appservices login`, `whoami`, `logout`, profiles and the silent renewal of tokens."""

from __future__ import annotations

import requests

from tests.cli.driver import Cli, mode_of, one_error_line
from tests.support.http import ADMIN_BASE, TIMEOUT_SECONDS
from tests.support.live_server import ADMIN_PRIVATE_KEY, ADMIN_PUBLIC_KEY, free_port


def refresh_status(base_url: str, refresh_token: str) -> int:
    """What the server answers when this refresh token asks for an access token."""
    return requests.post(f"{base_url}{ADMIN_BASE}/auth/session",
                         headers={"Authorization": f"Bearer {refresh_token}"},
                         timeout=TIMEOUT_SECONDS).status_code


def test_login_keeps_a_profile_of_mode_0600_without_the_private_key(cli: Cli) -> None:
    result = cli.login()

    assert f"Logged in to {cli.base_url} as {ADMIN_PUBLIC_KEY}" in result.stdout
    path = cli.profile_path()
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    text = path.read_text()
    assert ADMIN_PRIVATE_KEY not in text
    saved = cli.profile()
    assert saved["url"] == cli.base_url
    assert saved["public_key"] == ADMIN_PUBLIC_KEY
    assert saved["access_token"] and saved["refresh_token"]
    # Nothing but the profile itself is left in the folder (no temporary file).
    assert [p.name for p in path.parent.iterdir()] == ["default.json"]


def test_login_asks_for_the_keys_it_was_not_given(cli: Cli) -> None:
    result = cli.ok("login", "--url", cli.base_url,
                    input=f"{ADMIN_PUBLIC_KEY}\n{ADMIN_PRIVATE_KEY}\n")

    assert "Logged in" in result.stdout
    assert ADMIN_PRIVATE_KEY not in result.output  # the private key's prompt is hidden
    assert cli.profile()["public_key"] == ADMIN_PUBLIC_KEY


def test_login_accepts_the_admin_api_address_pasted_from_curl(cli: Cli) -> None:
    cli.ok("login", "--api-key", ADMIN_PUBLIC_KEY, "--private-api-key", ADMIN_PRIVATE_KEY,
           "--url", f"{cli.base_url}{ADMIN_BASE}/")

    assert cli.profile()["url"] == cli.base_url


def test_a_wrong_private_key_is_refused_in_one_line_and_nothing_is_kept(cli: Cli) -> None:
    result = cli.fails("login", "--api-key", ADMIN_PUBLIC_KEY,
                       "--private-api-key", "not-the-private-key-at-all", "--url", cli.base_url)

    assert one_error_line(result) == "Error: invalid username/password (AuthError)"
    assert result.exit_code == 1
    assert not cli.profile_path().exists()


def test_whoami_shows_the_admin_its_server_and_its_groups(logged_in: Cli) -> None:
    table = logged_in.ok("whoami").stdout
    described = logged_in.json("whoami")

    assert described["public_key"] == ADMIN_PUBLIC_KEY
    assert described["url"] == logged_in.base_url
    assert described["profile"] == "default"
    assert len(described["groups"]) == 1
    assert ADMIN_PUBLIC_KEY in table and described["groups"][0] in table


def test_logout_ends_the_session_on_the_server_and_forgets_the_profile(logged_in: Cli) -> None:
    refresh_token = logged_in.profile()["refresh_token"]
    assert refresh_status(logged_in.base_url, refresh_token) == 201

    assert "Logged out" in logged_in.ok("logout").stdout

    assert refresh_status(logged_in.base_url, refresh_token) == 401
    assert not logged_in.profile_path().exists()
    assert "Not logged in" in logged_in.ok("logout").stdout


def test_commands_without_a_login_say_how_to_log_in(cli: Cli) -> None:
    for command in (["whoami"], ["apps", "list"], ["users", "list", "--app", "x"]):
        line = one_error_line(cli.fails(*command))
        assert "not logged in (profile 'default')" in line
        assert "appservices login --api-key" in line


def test_a_new_login_to_a_profile_ends_its_previous_session(logged_in: Cli) -> None:
    first = logged_in.profile()["refresh_token"]

    logged_in.login()

    assert refresh_status(logged_in.base_url, first) == 401
    assert refresh_status(logged_in.base_url, logged_in.profile()["refresh_token"]) == 201


def test_profiles_are_kept_apart(logged_in: Cli) -> None:
    logged_in.login("--profile", "staging")
    assert logged_in.profile_path("staging").exists()

    logged_in.ok("logout")  # the default profile only

    assert logged_in.json("whoami", "--profile", "staging")["profile"] == "staging"
    chosen = logged_in.ok("whoami", env={"APPSERVICES_PROFILE": "staging"})
    assert "Profile:     staging" in chosen.stdout
    one_error_line(logged_in.fails("whoami"))


def test_a_profile_name_cannot_reach_outside_the_folder(cli: Cli) -> None:
    result = cli.fails("login", "--api-key", ADMIN_PUBLIC_KEY, "--private-api-key",
                       ADMIN_PRIVATE_KEY, "--url", cli.base_url, "--profile", "../elsewhere")

    assert result.exit_code == 2
    assert "a profile name is 1-64 letters" in result.stderr
    assert not cli.config_dir.exists()


def test_an_expired_access_token_is_renewed_silently(logged_in: Cli) -> None:
    app = logged_in.create_app()
    logged_in.edit_profile(access_token="expired.or.damaged")

    listed = logged_in.json("apps", "list")

    assert app["_id"] in [each["_id"] for each in listed]
    renewed = logged_in.profile()["access_token"]
    assert renewed != "expired.or.damaged"
    assert logged_in.json("whoami")["public_key"] == ADMIN_PUBLIC_KEY  # the new one works
    assert logged_in.profile()["access_token"] == renewed
    assert mode_of(logged_in.profile_path()) == 0o600


def test_an_ended_session_asks_for_a_new_login(logged_in: Cli) -> None:
    logged_in.ok("logout")
    logged_in.login()
    logged_in.edit_profile(access_token="damaged", refresh_token="damaged-too")

    line = one_error_line(logged_in.fails("apps", "list"))

    assert "your session has ended" in line
    assert f"appservices login --api-key {ADMIN_PUBLIC_KEY}" in line


def test_an_unreachable_server_is_named_in_one_line(cli: Cli) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = cli.fails("login", "--api-key", ADMIN_PUBLIC_KEY,
                       "--private-api-key", ADMIN_PRIVATE_KEY, "--url", url)

    assert one_error_line(result) == f"Error: cannot reach {url}: is the server running?"


def test_a_server_that_stopped_after_login_is_named_in_one_line(logged_in: Cli) -> None:
    logged_in.edit_profile(url=f"http://127.0.0.1:{free_port()}")

    assert "is the server running?" in one_error_line(logged_in.fails("apps", "list"))


def test_a_url_that_is_not_http_is_refused(cli: Cli) -> None:
    result = cli.fails("login", "--api-key", "a", "--private-api-key", "b", "--url", "ftp://x")

    assert result.exit_code == 2
    assert "is not an http:// or https:// URL" in result.stderr
