"""`GET /`, what a browser or a curious client opens first.

A browser is sent to the console; any other client gets a short index of where things
are. Outside the API contract, like the console: nothing an SDK calls.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app import __version__

bp = Blueprint("index", __name__)


@bp.get("/")
def index() -> BaseResponse:
    """Send browsers to the console; tell other clients where the APIs and docs are."""
    # A browser asks for HTML by name; curl and scripts send */*, which means JSON here.
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return redirect(url_for("console.index"))
    response: Response = jsonify({
        "name": "appservices-auth",
        "version": __version__,
        "links": {
            "admin_api": "/api/admin/v3.0",
            "client_api": "/api/client/v2.0",
            "docs": "/docs",
            "openapi": "/openapi.json",
            "console": "/console/",
            "health": "/healthz",
        },
    })
    return response


def init_app(app: Flask) -> None:
    """Serve `GET /`."""
    app.register_blueprint(bp)
