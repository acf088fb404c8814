"""Every page of the console renders; apps, providers and users change through it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.domain import api_keys, providers, users
from app.models import App, AuthProvider, User
from tests.console.driver import Console, alerts, field_value, new_console, page_text
from tests.support.store import in_database


def _provider(flask_app: Flask, created: App) -> AuthProvider:
    with in_database(flask_app):
        provider = providers.find_provider(created, providers.API_KEY)
    assert provider is not None
    return provider


def _users(flask_app: Flask, created: App) -> list[User]:
    with in_database(flask_app):
        return users.list_users(created, users.UserQuery())


def test_every_page_renders(app: Flask, console: Console) -> None:
    created = console.create_app("pages", enable_api_keys=True)
    with in_database(app):
        issued = api_keys.create_server_key(created, "reporting")
    base = console.app_path(created)
    provider = _provider(app, created)
    pages = {
        "/console/apps": "Apps",
        f"{base}/users": "App Users",
        f"{base}/users/providers": "App Users",
        f"{base}/users/pending": "App Users",
        f"{base}/users/providers/api-key": "App Users",
        f"{base}/users/providers/api-key/new": "App Users",
        f"{base}/authentication": "Authentication",
        f"{base}/authentication/{provider.id}": "API Keys provider",
        f"{base}/api-keys/{issued.api_key.id}/delete": "Delete API key reporting?",
        f"{base}/users/{issued.api_key.user_id}/delete": f"Delete user {issued.api_key.user_id}?",
    }
    for path, heading in pages.items():
        response = console.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        assert response.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert f"<h1>{heading}</h1>" in response.text, path
        assert issued.key not in response.text


def test_the_console_root_leads_to_the_apps(console: Console) -> None:
    assert console.get("/console/").headers["Location"] == "/console/apps"
    created = console.create_app("home")
    response = console.get(console.app_path(created))
    assert response.headers["Location"] == f"{console.app_path(created)}/users"


def test_assets_are_served_by_the_service(console: Console) -> None:
    page = console.get("/console/apps").text
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|svg))"', page)
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/console/static/")
        with console.client.get(asset) as response:
            assert response.status_code == 200
    assert "http://" not in page and "https://" not in page


# --- apps ----------------------------------------------------------------------------


def test_apps_are_listed_and_created(console: Console) -> None:
    console.create_app("existing")
    listing = console.get("/console/apps")
    assert "existing" in listing.text
    group_id = console.group().id
    assert f'<input type="hidden" name="group_id" value="{group_id}">' in listing.text
    response = console.post("/console/apps", {"name": "fresh", "group_id": group_id})
    assert response.status_code == 302
    page = console.get(response.headers["Location"])
    assert "App fresh created. Its client App ID is fresh-" in page_text(page)
    assert ">fresh</a>" in console.get("/console/apps").text


@pytest.mark.parametrize(("name", "status", "says"), [
    ("existing", 409, "An app named 'existing' already exists."),
    ("9lives", 400, "App name must start with a letter"),
])
def test_a_refused_app_is_explained_and_the_name_kept(console: Console, name: str,
                                                      status: int, says: str) -> None:
    created = console.create_app("existing")
    response = console.post("/console/apps", {"name": name, "group_id": created.group_id})
    assert response.status_code == status
    assert alerts(response)[0].startswith(says)
    assert field_value(response, "app-name") == name


def test_an_admin_sees_only_the_apps_of_its_groups(app: Flask, console: Console) -> None:
    stranger = new_console(app, "elsewhere")
    theirs = stranger.create_app("theirs")
    assert "theirs" not in console.get("/console/apps").text
    response = console.get(f"{stranger.app_path(theirs)}/users")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    response = console.post("/console/apps", {"name": "intruder", "group_id": theirs.group_id})
    assert response.status_code == 404


# --- Authentication (S5) -----------------------------------------------------------------


def test_the_authentication_page_toggles_the_api_key_provider(app: Flask,
                                                             console: Console) -> None:
    created = console.create_app("toggles")
    base = console.app_path(created)
    provider = _provider(app, created)
    page = console.get(f"{base}/authentication")
    assert "API Keys" in page.text and "Disabled" in page.text
    response = console.post(f"{base}/authentication/{provider.id}/enable")
    assert response.headers["Location"] == f"{base}/authentication"
    assert "The API Keys provider is enabled." in page_text(console.get(f"{base}/authentication"))
    assert _provider(app, created).disabled is False
    console.post(f"{base}/authentication/{provider.id}/disable")
    assert _provider(app, created).disabled is True


def test_a_toggle_returns_to_the_page_it_was_on_and_nowhere_else(app: Flask,
                                                                 console: Console) -> None:
    created = console.create_app("returns")
    base = console.app_path(created)
    provider = _provider(app, created)
    response = console.post(f"{base}/authentication/{provider.id}/enable",
                            {"next": f"{base}/users/providers/api-key"})
    assert response.headers["Location"] == f"{base}/users/providers/api-key"
    response = console.post(f"{base}/authentication/{provider.id}/disable",
                            {"next": "https://evil.example/"})
    assert response.headers["Location"] == f"{base}/authentication"
    response = console.post(f"{base}/authentication/{provider.id}/enable",
                            {"next": f"{base}/users\r\nSet-Cookie: evil=1"})
    assert response.status_code == 302  # a CR LF in a back-link was a 500
    assert response.headers["Location"] == f"{base}/authentication"


def test_the_provider_page_says_it_has_no_options(app: Flask, console: Console) -> None:
    created = console.create_app("options")
    provider = _provider(app, created)
    page = page_text(console.get(f"{console.app_path(created)}/authentication/{provider.id}"))
    assert "It has no configuration options." in page
    assert "the name of a provider is always its type" in page


# --- users ---------------------------------------------------------------------------


def test_users_are_listed_with_type_provider_and_state(app: Flask, console: Console) -> None:
    created = console.create_app("people", enable_api_keys=True)
    with in_database(app):
        api_keys.create_server_key(created, "service")
    page = console.get(f"{console.app_path(created)}/users").text
    row = re.search(r"<tr>\s*<td data-label=\"User\">service.*?</tr>", page, re.S)
    assert row is not None
    assert '<td data-label="Type">server</td>' in row.group(0)
    assert "<code>api-key</code>" in row.group(0)
    assert "Enabled" in row.group(0)


def test_a_user_is_disabled_enabled_and_deleted_after_confirmation(app: Flask,
                                                                   console: Console) -> None:
    created = console.create_app("lifecycle", enable_api_keys=True)
    with in_database(app):
        api_keys.create_server_key(created, "service")
    user = _users(app, created)[0]
    base = console.app_path(created)
    console.post(f"{base}/users/{user.id}/disable")
    assert _users(app, created)[0].disabled is True
    console.post(f"{base}/users/{user.id}/enable")
    assert _users(app, created)[0].disabled is False
    confirm = console.get(f"{base}/users/{user.id}/delete")
    assert "This cannot be undone." in page_text(confirm)
    assert len(_users(app, created)) == 1  # asking deletes nothing
    response = console.post(f"{base}/users/{user.id}/delete")
    assert response.headers["Location"] == f"{base}/users"
    assert _users(app, created) == []
    assert f"User {user.id} is deleted." in page_text(console.get(f"{base}/users"))


def test_the_users_list_pages_by_fifty(app: Flask, console: Console) -> None:
    created = console.create_app("crowd", enable_api_keys=True)
    with in_database(app):
        for number in range(51):
            api_keys.create_server_key(created, f"key-{number}")
    first = console.get(f"{console.app_path(created)}/users")
    assert first.text.count('<td data-label="Type">') == 50
    more = re.search(r'href="([^"]+after=[0-9a-f]{24})">Next page of users', first.text)
    assert more is not None
    second = console.get(more.group(1).replace("&amp;", "&"))
    assert second.text.count('<td data-label="Type">') == 1


def test_an_admin_of_several_projects_chooses_where_an_app_goes(app: Flask) -> None:
    console = new_console(app, "first", "second")
    console.sign_in()
    page = console.get("/console/apps")
    assert '<label for="group_id">Project</label>' in page.text
    second = re.findall(r'<option value="([0-9a-f]{24})"', page.text)[1]
    response = console.post("/console/apps", {"name": "placed", "group_id": second})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/console/groups/{second}/apps/")
    listing = console.get("/console/apps").text
    section = listing[listing.index(f'id="group-{second}"'):]
    assert ">placed</a>" in section[:section.index("</section>")]
