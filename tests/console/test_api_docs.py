"""The API documentation at /docs: Swagger UI with every file served by this service."""

from __future__ import annotations

import re

from flask import Flask


def test_the_docs_page_loads_swagger_ui_from_this_service(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assets = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert sorted(assets) == ["/docs/assets/swagger-ui-bundle.js",
                              "/docs/assets/swagger-ui-standalone-preset.js",
                              "/docs/assets/swagger-ui.css", "/docs/start.js"]
    for asset in assets:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            assert len(response.data) > 400
    assert '"/openapi.json"' in page.text
    assert '"validatorUrl": null' in page.text  # the badge would call an outside service


def test_the_docs_page_cannot_be_framed_and_runs_only_this_servers_scripts(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/docs")

    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # no inline script
    with client.get("/docs/start.js") as start:
        assert start.status_code == 200
        assert b"SwaggerUIBundle" in start.data
        assert start.headers["X-Content-Type-Options"] == "nosniff"


def test_the_docs_describe_both_apis(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").json
    paths = list(spec["paths"])
    assert any(path.startswith("/api/admin/v3.0/") for path in paths)
    assert any(path.startswith("/api/client/v2.0/") for path in paths)
    assert not any(path.startswith(("/console", "/docs")) for path in paths)
