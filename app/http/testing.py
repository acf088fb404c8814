"""Test-only endpoints, registered only when APPSERVICES_TEST_CLOCK=1.

They let black-box tests and notebooks move a live server's clock to show
time-dependent behaviour (keys never expire; access tokens do) without waiting. They
are not part of the API: a plain Flask blueprint, absent from openapi.yaml, and never
registered unless explicitly switched on.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, jsonify, request

from app import clock
from app.domain.errors import InvalidParameter

blp = Blueprint("testing", __name__, url_prefix="/_testing")


@blp.route("/clock", methods=["GET"])
def read_clock() -> Response:
    """Tell how far the clock is moved, and what time the server thinks it is."""
    return jsonify({"offset_seconds": clock.offset().total_seconds(),
                    "now": clock.timestamp()})


@blp.route("/clock", methods=["POST"])
def move_clock() -> Response:
    """Move the clock: {"advance_seconds": N} adds to the offset, {"reset": true} clears it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidParameter("send a JSON object: {\"advance_seconds\": N} or {\"reset\": true}")
    if body.get("reset") is True:
        clock.reset()
    else:
        seconds = body.get("advance_seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise InvalidParameter("'advance_seconds' must be a number")
        clock.advance(timedelta(seconds=seconds))
    return read_clock()
