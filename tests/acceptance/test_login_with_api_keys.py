"""Steps of features/login_with_api_keys.feature: S1, S2, S21, disabled and deleted keys."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from pytest_bdd import parsers, scenarios, then

from tests.acceptance.world import World

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/login_with_api_keys.feature")

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@then("the login succeeds with an access token, a refresh token, a user id and a device id")
def the_login_succeeds(world: World) -> None:
    assert world.response is not None and world.response.status_code == 200, world.response
    body = world.response.json()
    assert set(body) == {"access_token", "refresh_token", "user_id", "device_id"}, body
    assert body["access_token"].count(".") == 2 and body["refresh_token"].count(".") == 2
    assert OBJECT_ID.match(body["user_id"]) and OBJECT_ID.match(body["device_id"]), body


@then("the session opened earlier with the key has ended")
def the_earlier_session_has_ended(world: World) -> None:
    session = world.earlier_session
    assert session is not None
    refreshed = world.client_call("POST", "/auth/session", token=session.refresh_token)
    assert (refreshed.status_code, refreshed.json()["error_code"]) == (401, "InvalidSession")
    profile = world.profile(session)
    assert (profile.status_code, profile.json()["error_code"]) == (401, "InvalidSession")


LOG_LINK = re.compile(r"^(?P<base>https?://[^/]+(?:/.*)?)/groups/(?P<group_id>[0-9a-f]{24})"
                      r"/apps/(?P<app_id>[0-9a-f]{24})/logs\?co_id=(?P<co_id>[0-9a-f]{24})$")


@then(parsers.parse('the error links to the app\'s log entry for the request named in its '
                    '"{header}" header'))
def the_error_links_to_the_log_entry(world: World, header: str) -> None:
    assert world.response is not None
    link = world.response.json()["link"]
    match = LOG_LINK.fullmatch(link)
    assert match is not None, link
    assert (match["group_id"], match["app_id"]) == (world.admin.group_id, world.app_id)
    assert match["co_id"] == world.response.headers[header]


@then("whoever opens the link is sent to sign in to the console, and then back to the "
      "request's page")
def the_link_leads_to_the_console(world: World) -> None:
    assert world.response is not None
    link = world.response.json()["link"]
    co_id = world.response.headers["X-Appservices-Request-Id"]
    opened = requests.get(link, allow_redirects=False, timeout=30)
    assert opened.status_code == 302, opened.text
    page = urlsplit(opened.headers["Location"])
    assert page.path.endswith(f"/console/groups/{world.admin.group_id}/apps/{world.app_id}/logs")
    assert parse_qs(page.query) == {"co_id": [co_id]}
    signing_in = requests.get(urljoin(link, opened.headers["Location"]),
                              allow_redirects=False, timeout=30)
    assert signing_in.status_code == 302, signing_in.text
    sign_in = urlsplit(signing_in.headers["Location"])
    assert sign_in.path.endswith("/console/sign-in")
    assert parse_qs(sign_in.query)["next"] == [f"{page.path}?{page.query}"]
