"""Signing in and out of the console: the cookie, the session behind it, and CSRF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from app.models import AdminKey, AdminSession
from tests.console.driver import Console, alerts, field_value, new_console
from tests.support.store import in_database

PAGES = ["/console/", "/console/apps", "/console/groups/{g}/apps/{a}/users",
         "/console/groups/{g}/apps/{a}/users/providers/api-key",
         "/console/groups/{g}/apps/{a}/users/pending",
         "/console/groups/{g}/apps/{a}/authentication"]


def _cookie(console: Console) -> str:
    cookie = console.client.get_cookie("appservices_console", path="/console")
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize("page", PAGES)
def test_a_page_without_signing_in_redirects_to_the_sign_in_page(visitor: Console,
                                                                  page: str) -> None:
    path = page.format(g="0" * 24, a="0" * 24)
    response = visitor.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/console/sign-in"
    assert parse_qs(location.query)["next"] == [path]


def test_a_form_sent_without_signing_in_changes_nothing_and_asks_to_sign_in(
        visitor: Console) -> None:
    response = visitor.post("/console/apps", {"name": "sneaky", "group_id": "0" * 24})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/console/sign-in"


def test_signing_in_returns_to_the_page_asked_for(visitor: Console) -> None:
    visitor.get("/console/sign-in?next=/console/apps%3Fx%3D1")
    response = visitor.post("/console/sign-in", {
        "public_key": visitor.public_key, "private_key": visitor.private_key,
        "next": "/console/apps?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/apps?x=1"
    assert visitor.get("/console/apps").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/console",
                                    "/api/admin/v3.0/auth/profile", "javascript:alert(1)",
                                    "/\\evil.example"])
def test_signing_in_never_redirects_outside_the_console(visitor: Console, target: str) -> None:
    visitor.get("/console/sign-in")
    response = visitor.post("/console/sign-in", {
        "public_key": visitor.public_key, "private_key": visitor.private_key, "next": target})
    assert response.headers["Location"] == "/console/apps"


def test_a_wrong_private_key_is_refused_in_words_and_the_public_key_is_kept(
        visitor: Console) -> None:
    visitor.get("/console/sign-in")
    response = visitor.post("/console/sign-in", {"public_key": visitor.public_key,
                                                 "private_key": "not-the-private-key"})
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert alerts(response) == [
        "The public key or the private key is wrong, or the key pair is disabled."]
    assert field_value(response, "public_key") == visitor.public_key
    assert "not-the-private-key" not in response.text
    assert visitor.get("/console/apps").status_code == 302  # still not signed in


def test_an_unknown_public_key_gets_the_same_answer(visitor: Console) -> None:
    visitor.get("/console/sign-in")
    response = visitor.post("/console/sign-in", {"public_key": "nobody",
                                                 "private_key": visitor.private_key})
    assert response.status_code == 401
    assert alerts(response) == [
        "The public key or the private key is wrong, or the key pair is disabled."]


def test_empty_fields_are_asked_for(visitor: Console) -> None:
    visitor.get("/console/sign-in")
    response = visitor.post("/console/sign-in", {"public_key": " ", "private_key": ""})
    assert response.status_code == 400
    assert alerts(response) == ["Enter both the public key and the private key."]


def test_the_session_cookie_is_httponly_samesite_and_only_for_the_console(
        visitor: Console) -> None:
    response = visitor.get("/console/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("appservices_console=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back


def test_the_session_cookie_is_secure_over_https(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/console/sign-in", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_session_cookie_can_be_made_always_secure(app: Flask) -> None:
    app.config["CONSOLE_COOKIE_SECURE"] = "true"
    response = app.test_client().get("/console/sign-in")
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_cookie_holds_only_the_admin_key_id_and_the_session_id(app: Flask,
                                                                  console: Console) -> None:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    content = serializer.loads(_cookie(console))
    assert set(content) <= {"admin_key_id", "admin_session_id", "csrf_token", "_flashes"}
    with in_database(app):
        key = AdminKey.get(AdminKey.public_key == console.public_key)
        session = AdminSession.get(AdminSession.id == content["admin_session_id"])
        assert session.admin_key.id == key.id
    assert content["admin_key_id"] == key.id
    assert console.private_key not in str(content)


def test_signing_out_ends_the_session_in_the_database(app: Flask, console: Console) -> None:
    stolen = _cookie(console)  # a copy of the cookie, kept by someone else
    response = console.post("/console/sign-out")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/console/sign-in"
    assert console.get("/console/apps").status_code == 302
    with in_database(app):
        assert AdminSession.select().count() == 0
    replay = app.test_client()
    replay.set_cookie("appservices_console", stolen, path="/console")
    response = replay.get("/console/apps")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/console/sign-in"


def test_disabling_the_admin_key_ends_its_console_session(app: Flask, console: Console) -> None:
    with in_database(app):
        AdminKey.update(disabled=True).where(
            AdminKey.public_key == console.public_key).execute()
    response = console.get("/console/apps")
    assert response.status_code == 302
    assert "Your session has ended" in console.get("/console/sign-in").text


def test_signing_in_again_replaces_the_session(app: Flask, console: Console) -> None:
    console.sign_in()
    with in_database(app):
        assert AdminSession.select().count() == 1


def test_a_cookie_naming_another_admins_session_is_refused(app: Flask) -> None:
    first, second = new_console(app), new_console(app, "other")
    first.sign_in()
    second.sign_in()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    mixed = serializer.loads(_cookie(first))
    mixed["admin_key_id"] = serializer.loads(_cookie(second))["admin_key_id"]
    first.client.set_cookie("appservices_console", serializer.dumps(mixed), path="/console")
    assert first.get("/console/apps").status_code == 302


# --- CSRF --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/console/sign-in", "/console/sign-out", "/console/apps"])
def test_a_form_without_its_csrf_token_is_refused(console: Console, path: str) -> None:
    response = console.post(path, {"name": "made-by-another-site",
                                   "public_key": console.public_key,
                                   "private_key": console.private_key}, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "security token" in alerts(response)[0]
    assert console.get("/console/apps").status_code == 200  # still signed in
    assert "made-by-another-site" not in console.get("/console/apps").text


def test_a_form_with_another_sessions_csrf_token_is_refused(app: Flask,
                                                           console: Console) -> None:
    other = new_console(app)
    other.sign_in()
    response = console.post("/console/apps", {"name": "forged", "csrf_token": other.token})
    assert response.status_code == 400
    assert "forged" not in console.get("/console/apps").text


def test_the_apis_take_no_csrf_token(console: Console) -> None:
    response = console.client.post("/api/admin/v3.0/auth/providers/mongodb-cloud/login",
                                   json={"username": console.public_key,
                                         "apiKey": console.private_key})
    assert response.status_code == 200


@pytest.mark.parametrize("target", ["/console/apps\r\nSet-Cookie: evil=1", "/console/apps\n",
                                    "/console/\rapps", "/console/apps\x00", "\t//evil.example",
                                    "/console/apps\u202e"])
def test_a_next_with_control_characters_is_dropped_not_a_server_error(
        visitor: Console, target: str) -> None:
    page = visitor.get("/console/sign-in", query_string={"next": target})
    assert page.status_code == 200
    response = visitor.post("/console/sign-in", {
        "public_key": visitor.public_key, "private_key": visitor.private_key, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/apps"
    assert "Set-Cookie: evil" not in str(response.headers)


def test_a_page_whose_address_holds_a_newline_still_leads_to_a_safe_sign_in(
        visitor: Console) -> None:
    asked = visitor.get("/console/groups/a%0D%0ASet-Cookie:%20evil=1/apps/b/users")
    assert asked.status_code == 302  # not signed in: to the sign-in page, next kept encoded
    sign_in_page = visitor.get(asked.headers["Location"])
    assert sign_in_page.status_code == 200
    response = visitor.post("/console/sign-in", {
        "public_key": visitor.public_key, "private_key": visitor.private_key,
        "next": parse_qs(urlsplit(asked.headers["Location"]).query)["next"][0]})
    assert response.headers["Location"] == "/console/apps"
