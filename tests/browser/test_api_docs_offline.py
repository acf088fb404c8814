"""/docs renders Swagger UI for both APIs with the network to the outside closed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route, expect

from tests.browser.driver import screenshot

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def test_the_api_docs_render_without_any_outside_request(context: BrowserContext,
                                                          shots: Path) -> None:
    attempted: list[str] = []
    failed: list[str] = []

    def only_this_machine(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOCAL_HOSTS:
            attempted.append(route.request.url)
            route.abort("blockedbyclient")
            return
        route.continue_()

    context.route("**/*", only_this_machine)
    page = context.new_page()
    page.on("requestfailed", lambda request: failed.append(request.url))
    refused: list[str] = []  # what the page's Content-Security-Policy blocked
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/docs")

    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 30
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    paths = {text.replace("\u200b", "").strip() for text in summaries}
    assert "/api/admin/v3.0/groups/{groupId}/apps/{appId}/api_keys" in paths
    assert "/api/client/v2.0/app/{clientAppId}/auth/providers/{provider}/login" in paths
    expect(page.get_by_role("heading", name="appservices-auth")).to_be_visible()
    screenshot(page, shots, "api-docs")

    assert attempted == [], f"the docs page tried to reach outside: {attempted}"
    assert refused == [], f"the docs page's policy blocked a part of it: {refused}"
    assert [url for url in failed if urlsplit(url).hostname in LOCAL_HOSTS] == []


def test_try_it_out_calls_the_api_under_the_pages_policy(context: BrowserContext) -> None:
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/docs")
    operation = page.locator(".opblock", has=page.locator('[data-path="/healthz"]'))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    expect(operation.locator(".live-responses-table tbody .response-col_status").first
           ).to_have_text("200")
    assert refused == []
