"""The API documentation at /docs: flask-smorest's Swagger UI, every asset served here.

The Swagger UI files come from the `swagger-ui-bundle` package and are served under
/docs/assets/, so the page works on a machine with no way out to the internet (no CDN).
The page is our own `swagger_ui.html` (swagger_ui_page/), which replaces flask-smorest's by
name: it runs no inline script, so it can carry a Content-Security-Policy as strict as
the console's (its start-up script is a file, /docs/start.js).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from app.http.headers import page_headers

ASSETS_URL = "/docs/assets/"
PAGE_FILES = Path(__file__).parent / "swagger_ui_page"
# This server's files only, and no framing. Images also from data: URLs (Swagger UI's
# icons are inlined in its CSS); "Try it out" calls the APIs here (connect-src).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)

# flask-smorest's blueprint serving /docs and /openapi.json (Api._make_doc_blueprint_name).
SMOREST_DOCS_BLUEPRINT = "api-docs"

blp = Blueprint("api-docs-assets", __name__, template_folder=str(PAGE_FILES))


def config() -> dict[str, Any]:
    """The flask-smorest settings for Swagger UI at /docs (read when the Api is created)."""
    return {
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": ASSETS_URL,
        # The validator badge would send the spec to an outside service: never.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "deepLinking": True},
    }


@blp.route(ASSETS_URL + "<path:filename>")
def asset(filename: str) -> Response:
    """Serve a Swagger UI file from the installed package."""
    return send_from_directory(Path(str(swagger_ui_path)), filename)


@blp.route("/docs/start.js")
def start() -> Response:
    """Serve the script that starts Swagger UI on the page."""
    return send_from_directory(PAGE_FILES, "start.js")


@blp.after_request
def _docs_headers(response: Response) -> Response:
    return page_headers(response, CONTENT_SECURITY_POLICY)


def init_app(app: Flask) -> None:
    """Serve the Swagger UI files, and the page's security headers.

    Call before the Api is created: a blueprint's templates are searched in the order
    blueprints were registered, and our page must be found before flask-smorest's.
    """
    app.register_blueprint(blp)
    # The page itself is flask-smorest's blueprint's. Hooked to the two blueprints, not
    # to every request: the API requests pay nothing for it.
    app.after_request_funcs.setdefault(SMOREST_DOCS_BLUEPRINT, []).append(_docs_headers)
