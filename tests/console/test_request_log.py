"""The page an error's `link` opens: it names the request for a signed-in admin, and is
never a 404; a visitor is sent to sign in and back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Flask

from tests.console.driver import Console, new_console, page_text

CO_ID = "6a1b2c3d0123456789abcdef"  # its first four bytes: 2026-05-30 18:28:13 UTC
RECEIVED = "2026-05-30 18:28:13 UTC"
OTHER_ID = "0123456789abcdef01234567"


def _link_path(console: Console, app_id: str) -> str:
    return f"/console/groups/{console.group().id}/apps/{app_id}/logs"


def test_the_link_at_the_server_root_opens_the_console_page(console: Console) -> None:
    app = console.create_app("linkedapp")
    group_id = console.group().id

    response = console.get(f"/groups/{group_id}/apps/{app.id}/logs?co_id={CO_ID}")

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/console/groups/{group_id}/apps/{app.id}/logs"
    assert parse_qs(target.query) == {"co_id": [CO_ID]}


def test_a_signed_in_admin_sees_the_request_named_with_its_app(console: Console) -> None:
    app = console.create_app("linkedapp")

    response = console.get(f"{_link_path(console, app.id)}?co_id={CO_ID}")

    assert response.status_code == 200
    text = page_text(response)
    assert CO_ID in text
    assert RECEIVED in text
    assert "linkedapp" in text and app.client_app_id in text
    assert "X-Appservices-Request-Id" in text


def test_an_app_the_admin_cannot_see_is_named_by_its_id_not_a_404(
    app: Flask, console: Console
) -> None:
    stranger = new_console(app, "another-group")
    hidden = stranger.create_app("hiddenapp")

    for path in (f"{_link_path(console, hidden.id)}?co_id={CO_ID}",
                 f"/console/groups/{OTHER_ID}/apps/{OTHER_ID}/logs?co_id={CO_ID}"):
        response = console.get(path)

        assert response.status_code == 200, path
        text = page_text(response)
        assert CO_ID in text and "not an app you can see" in text
        assert "hiddenapp" not in text


def test_a_server_wide_link_names_the_request(console: Console) -> None:
    response = console.get(f"/console/logs?co_id={CO_ID}")

    assert response.status_code == 200
    assert CO_ID in page_text(response) and RECEIVED in page_text(response)


def test_a_link_without_a_correlation_id_says_so(console: Console) -> None:
    for query in ("", "?co_id=", "?co_id=<script>", f"?co_id={CO_ID}0"):
        response = console.get(f"/console/logs{query}")

        assert response.status_code == 200, query
        assert "names no request" in page_text(response)
        assert "<script>" not in response.text


def test_a_visitor_is_sent_to_sign_in_and_back(visitor: Console) -> None:
    app = visitor.create_app("linkedapp")
    path = f"{_link_path(visitor, app.id)}?co_id={CO_ID}"

    response = visitor.get(path)

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/console/sign-in"
    assert parse_qs(target.query) == {"next": [path]}
    signed_in = visitor.post("/console/sign-in", {"public_key": visitor.public_key,
                                                  "private_key": visitor.private_key,
                                                  "next": path})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == path
