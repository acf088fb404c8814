"""`appservices admin list-keys / disable-key / enable-key / delete-key`: revoking admin key
pairs on the server's database (issue 18, item 3).

The commands run in-process (click's CliRunner) with the server's configuration, on
the database of the `app` fixture, SQLite and PostgreSQL; what they did is checked over
the Admin API of that app: a revoked pair's tokens stop working at once.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from app import clock, models, storage
from app.cli import main
from tests.support.app import TEST_SECRET_KEY, InProcessAdmin, new_admin
from tests.support.http import ADMIN_BASE
from tests.support.http import ADMIN_LOGIN as LOGIN
from tests.support.postgres import drop_database, new_database
from tests.support.store import in_database
from tests.support.wire import assert_error

SESSION = f"{ADMIN_BASE}/auth/session"


class AdminCli:
    """`appservices admin ...` with the configuration of the server under test."""

    def __init__(self, database_url: str, instance_path: Path) -> None:
        self.env: dict[str, str | None] = {
            "DATABASE_URL": database_url,
            "APPSERVICES_INSTANCE_PATH": str(instance_path),
            "SECRET_KEY": TEST_SECRET_KEY,
            "BCRYPT_ROUNDS": "4",
            "ADMIN_KEY_SCRYPT_LOG_N": "4",
            "APPSERVICES_ADMIN_PUBLIC_KEY": None,
            "APPSERVICES_ADMIN_PRIVATE_KEY": None,
        }

    def run(self, *args: str, **env: str) -> Result:
        result = CliRunner().invoke(main, ["admin", *args], env={**self.env, **env},
                                    prog_name="appservices")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"appservices admin {' '.join(args)} raised {result.exception!r}:\n{result.output}"
        )
        assert "Traceback" not in result.output
        return result

    def ok(self, *args: str, **env: str) -> Result:
        result = self.run(*args, **env)
        assert result.exit_code == 0, result.output
        return result

    def pairs(self) -> dict[str, dict[str, object]]:
        listed = json.loads(self.ok("list-keys", "--json").stdout)
        return {pair["public_key"]: pair for pair in listed}


@pytest.fixture
def admin_cli(app: Flask, database_url: str, tmp_path: Path) -> AdminCli:
    return AdminCli(database_url, tmp_path / "instance")


def _refused_everywhere(client: FlaskClient, admin: InProcessAdmin) -> None:
    """The pair's access token, refresh token and private key all stopped working."""
    assert_error(admin.get("/auth/profile"), 401, "InvalidSession")
    assert_error(client.post(SESSION, headers={"Authorization": f"Bearer {admin.refresh_token}"}),
                 401, "InvalidSession")
    assert_error(client.post(LOGIN, json={"username": admin.public_key,
                                          "apiKey": admin.private_key}), 401, "AuthError")


# --- list-keys ----------------------------------------------------------------------


def test_list_keys_shows_each_pair_with_its_groups_status_and_live_sessions(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    other = new_admin(app, client, "payments", "search")
    admin_session.log_in()  # a second session of the first pair

    pairs = admin_cli.pairs()

    assert set(pairs) == {admin_session.public_key, other.public_key}
    first = pairs[admin_session.public_key]
    assert first["groups"] == ["default"]
    assert first["disabled"] is False
    assert first["live_sessions"] == 2
    assert isinstance(first["created_at"], int) and first["created_at"] > 0
    assert set(first) == {"public_key", "description", "groups", "created_at", "disabled",
                          "live_sessions"}
    assert pairs[other.public_key]["groups"] == ["payments", "search"]
    assert pairs[other.public_key]["live_sessions"] == 1


def test_list_keys_prints_a_table_that_never_shows_a_private_key_or_its_hash(
    app: Flask, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    with in_database(app):
        pair = models.AdminKey.get(models.AdminKey.public_key == admin_session.public_key)
        stored = pair.private_key_digest

    result = admin_cli.ok("list-keys")

    header, row = result.stdout.splitlines()[:2]
    assert header.split() == ["PUBLIC", "KEY", "STATUS", "SESSIONS", "GROUPS", "CREATED",
                              "DESCRIPTION"]
    assert row.split()[:4] == [admin_session.public_key, "enabled", "1", "default"]
    for secret in (admin_session.private_key, stored, stored.split("$")[-1]):
        assert secret not in result.output


def test_list_keys_counts_only_sessions_that_have_not_expired(
    app: Flask, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    clock.advance(timedelta(seconds=app.config["ADMIN_REFRESH_TOKEN_SECONDS"] + 1))

    assert admin_cli.pairs()[admin_session.public_key]["live_sessions"] == 0


# --- disable-key / enable-key -------------------------------------------------------


def test_disable_key_ends_every_session_of_the_pair_at_once_and_refuses_its_login(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    bystander = new_admin(app, client, "other")
    assert admin_session.get("/auth/profile").status_code == 200

    result = admin_cli.ok("disable-key", admin_session.public_key)

    assert f"Disabled admin key pair {admin_session.public_key}; 1 session ended." in (
        result.stdout)
    _refused_everywhere(client, admin_session)
    assert bystander.get("/auth/profile").status_code == 200  # other pairs are untouched
    listed = admin_cli.pairs()[admin_session.public_key]
    assert listed["disabled"] is True and listed["live_sessions"] == 0


def test_enable_key_lets_the_pair_log_in_again_but_its_ended_sessions_stay_ended(
    client: FlaskClient, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    old_access_token = admin_session.access_token
    admin_cli.ok("disable-key", admin_session.public_key)

    result = admin_cli.ok("enable-key", admin_session.public_key)

    assert f"Enabled admin key pair {admin_session.public_key}." in result.stdout
    assert_error(admin_session.get("/auth/profile", token=old_access_token),
                 401, "InvalidSession")
    admin_session.log_in()
    assert admin_session.get("/auth/profile").status_code == 200
    assert admin_cli.pairs()[admin_session.public_key]["disabled"] is False


def test_disable_key_counts_the_sessions_that_were_live_not_the_expired_ones(
    app: Flask, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    clock.advance(timedelta(seconds=app.config["ADMIN_REFRESH_TOKEN_SECONDS"] + 1))
    admin_session.log_in()  # the first session has expired; this one is live

    result = admin_cli.ok("disable-key", admin_session.public_key)

    assert "; 1 session ended." in result.stdout
    with in_database(app):
        assert models.AdminSession.select().count() == 0  # the expired row went too


def test_disabling_twice_or_enabling_an_enabled_pair_is_fine(
    admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    admin_cli.ok("enable-key", admin_session.public_key)
    admin_cli.ok("disable-key", admin_session.public_key)

    again = admin_cli.ok("disable-key", admin_session.public_key)

    assert "0 sessions ended" in again.stdout


def test_disabling_the_last_enabled_pair_is_allowed_and_says_how_to_get_a_new_one(
    admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    result = admin_cli.ok("disable-key", admin_session.public_key)

    assert "No enabled admin key pair is left" in result.stderr
    assert "appservices admin create-key" in result.stderr


def test_while_another_pair_is_enabled_no_warning_is_given(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    new_admin(app, client)

    result = admin_cli.ok("disable-key", admin_session.public_key)

    assert result.stderr == ""


# --- delete-key ---------------------------------------------------------------------


def test_delete_key_removes_the_pair_and_ends_its_sessions_but_keeps_its_group_and_apps(
    app: Flask, client: FlaskClient, admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    created = admin_session.create_app("survivor")
    colleague = new_admin(app, client, "default")  # granted the same group

    result = admin_cli.ok("delete-key", admin_session.public_key, "--yes")

    assert f"Deleted admin key pair {admin_session.public_key}; 1 session ended." in (
        result.stdout)
    _refused_everywhere(client, admin_session)
    assert admin_session.public_key not in admin_cli.pairs()
    apps = colleague.get(colleague.apps_path).json
    assert [found["_id"] for found in apps] == [created["_id"]]


def test_delete_key_asks_first_and_without_a_terminal_refuses_and_changes_nothing(
    admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    result = admin_cli.run("delete-key", admin_session.public_key)

    assert result.exit_code != 0
    assert "--yes" in result.stderr
    assert admin_session.get("/auth/profile").status_code == 200
    assert admin_session.public_key in admin_cli.pairs()


def test_deleting_the_environment_pair_warns_that_the_next_start_makes_it_again(
    app: Flask, admin_cli: AdminCli
) -> None:
    env = {"APPSERVICES_ADMIN_PUBLIC_KEY": "automation",
           "APPSERVICES_ADMIN_PRIVATE_KEY": "env-private-key-0123456789"}

    result = admin_cli.ok("delete-key", "automation", "--yes", **env)

    assert "makes it again at its next start" in result.stderr
    assert "env-private-key-0123456789" not in result.output


# --- mistakes -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["disable-key", "enable-key", "delete-key"])
@pytest.mark.parametrize("public_key", ["nosuchkey", "not a public key!", "x" * 200])
def test_an_unknown_public_key_is_a_one_line_error_and_a_non_zero_exit(
    admin_session: InProcessAdmin, admin_cli: AdminCli, command: str, public_key: str
) -> None:
    result = admin_cli.run(command, public_key, *(["--yes"] if command == "delete-key" else []))

    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: no admin key pair has that public key "
                                      "(appservices admin list-keys shows them)")
    assert admin_session.get("/auth/profile").status_code == 200


def test_a_private_key_given_instead_of_the_public_key_is_not_printed_back(
    admin_session: InProcessAdmin, admin_cli: AdminCli
) -> None:
    result = admin_cli.run("disable-key", admin_session.private_key)

    assert result.exit_code == 1
    assert admin_session.private_key not in result.output
    assert admin_session.get("/auth/profile").status_code == 200


def test_a_broken_configuration_is_a_one_line_error_not_a_traceback(
    admin_cli: AdminCli,
) -> None:
    result = admin_cli.run("list-keys", APPSERVICES_ADMIN_PUBLIC_KEY="automation")

    assert result.exit_code == 1
    assert "cannot open the server's database" in result.stderr
    assert "APPSERVICES_ADMIN_PRIVATE_KEY" in result.stderr


def test_list_keys_on_a_database_without_pairs_says_how_to_make_one(
    admin_cli: AdminCli,
) -> None:
    result = admin_cli.ok("list-keys")

    assert result.stdout == ""
    assert "appservices admin create-key" in result.stderr
    assert json.loads(admin_cli.ok("list-keys", "--json").stdout) == []


# --- create-key: which database -------------------------------------------------------

PUBLIC_LINE = re.compile(r"^Public key:\s+(\S+)$", re.M)
PRIVATE_LINE = re.compile(r"^Private key:\s+(\S+)$", re.M)
DATABASE_LINE = re.compile(r"^Database:\s+(.+)$", re.M)


def _run_elsewhere(*args: str, **env: str | None) -> Result:
    """`appservices admin ...` as run from a folder with no configuration of its own."""
    clean: dict[str, str | None] = {
        "DATABASE_URL": None, "APPSERVICES_INSTANCE_PATH": None, "SECRET_KEY": None,
        "APPSERVICES_ADMIN_PUBLIC_KEY": None, "APPSERVICES_ADMIN_PRIVATE_KEY": None,
        "ADMIN_KEY_SCRYPT_LOG_N": "4",
    }
    result = CliRunner().invoke(main, ["admin", *args], env={**clean, **env},
                                prog_name="appservices")
    assert "Traceback" not in result.output
    return result


def test_create_key_names_the_database_it_wrote_to_and_its_pair_logs_in(
    admin_cli: AdminCli, client: FlaskClient, database_url: str
) -> None:
    result = admin_cli.ok("create-key", "--group", "ops")
    public, private = PUBLIC_LINE.search(result.stdout), PRIVATE_LINE.search(result.stdout)
    written_to = DATABASE_LINE.search(result.stdout)
    assert public and private and written_to, result.stdout
    if database_url.startswith("sqlite"):
        assert written_to.group(1) == f"SQLite database {database_url.removeprefix('sqlite:///')}"
    else:
        parsed = urlparse(database_url)
        assert written_to.group(1).startswith(f"PostgreSQL database {parsed.path.lstrip('/')} ")
        # The URL's password (when it has one) is never printed.
        assert not parsed.password or parsed.password not in result.output
    assert client.post(LOGIN, json={"username": public.group(1),
                                    "apiKey": private.group(1)}).status_code == 200


def test_create_key_in_a_folder_without_a_database_is_refused_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _run_elsewhere("create-key")
    assert result.exit_code == 1
    assert "Private key" not in result.stdout
    message = result.stderr
    assert str(elsewhere / "instance" / "appservices.db") in message
    for hint in ("DATABASE_URL", "APPSERVICES_INSTANCE_PATH", "--create-database"):
        assert hint in message, message
    assert list(elsewhere.iterdir()) == []  # no instance folder, no database, no secret


def test_create_database_makes_the_database_then_create_key_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "instance" / "appservices.db"
    first = _run_elsewhere("create-key", "--create-database")
    assert first.exit_code == 0, first.output
    assert f"Database:    SQLite database {database} (created now)" in first.stdout
    assert database.is_file()
    again = _run_elsewhere("create-key")
    assert again.exit_code == 0, again.output
    assert f"Database:    SQLite database {database}\n" in again.stdout


def test_a_postgresql_database_without_the_services_tables_is_refused_too(
    postgres_url: str, tmp_path: Path
) -> None:
    url = new_database(postgres_url, f"create_key_{uuid.uuid4().hex[:12]}")
    try:
        refused = _run_elsewhere("create-key", DATABASE_URL=url,
                                 APPSERVICES_INSTANCE_PATH=str(tmp_path / "instance"))
        assert refused.exit_code == 1
        assert "PostgreSQL database" in refused.stderr and "--create-database" in refused.stderr
        made = _run_elsewhere("create-key", "--create-database", DATABASE_URL=url,
                              APPSERVICES_INSTANCE_PATH=str(tmp_path / "instance"))
        assert made.exit_code == 0, made.output
        assert "(created now)" in made.stdout
    finally:
        storage.close_all()
        drop_database(url)
