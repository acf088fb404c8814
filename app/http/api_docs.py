"""The API documentation at /docs: flask-smorest's Swagger UI, every asset served here.

The Swagger UI files come from the `swagger-ui-bundle` package and are served under
/docs/assets/, so the page works on a machine with no way out to the internet (no CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/docs/assets/"

blp = Blueprint("api-docs-assets", __name__)


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


def init_app(app: Flask) -> None:
    """Serve the Swagger UI files."""
    app.register_blueprint(blp)
