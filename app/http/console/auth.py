"""Signing in to the console with an admin key pair, and the session cookie behind it.

The cookie (signed, HttpOnly, SameSite=Lax, Secure over https) holds only the admin key's
id and the id of the Admin API session that the sign-in opened (`admin.login`, as the
Admin API's own login does). Every request checks that session in the database, so
signing out, its expiry, and disabling the key end the console session like any other.
"""

from __future__ import annotations

from flask import (
    Flask,
    Request,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.wrappers import Response as BaseResponse

from app.domain import admin
from app.domain.errors import AuthError, DomainError, InvalidSession
from app.http.console.blueprint import PREFIX, bp, csrf, current_path, safe_next

ADMIN_KEY_ID = "admin_key_id"
SESSION_ID = "admin_session_id"
PUBLIC_ENDPOINTS = {"console.sign_in", "console.static"}


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session for the console, marked Secure over https.

    Only the console has a session: its cookie is sent to /console alone. Elsewhere (the
    APIs, every SDK call) Flask gets its null session instead of building a cookie signer
    per request for nothing, which cost about a twentieth of a session refresh.
    """

    def open_session(self, app: Flask, incoming: Request) -> SecureCookieSession | None:
        if incoming.path != PREFIX and not incoming.path.startswith(PREFIX + "/"):
            return None  # Flask's null session: empty to read, an error to write
        return super().open_session(app, incoming)

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config.get("CONSOLE_COOKIE_SECURE", "auto")
        if setting == "auto":
            return request.is_secure
        return bool(setting == "true")


def init_app(app: Flask) -> None:
    """Set up the session cookie and CSRF protection for the console."""
    app.config.update(
        SESSION_COOKIE_NAME="appservices_console",
        SESSION_COOKIE_PATH=PREFIX,  # never sent to the APIs
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Checked by the console's own hook below, not on every POST of the app.
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the console session (which the database bounds).
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = ConsoleSessionInterface()
    csrf.init_app(app)


def signed_in_admin() -> bool:
    """Set `g.admin_key` from the session cookie; whether someone is signed in.

    Also used by the error page of a URL no console route matches (the blueprint's hooks
    do not run for it), so that a signed-in admin keeps the navigation there.
    """
    session_id, admin_key_id = session.get(SESSION_ID), session.get(ADMIN_KEY_ID)
    if isinstance(session_id, str) and isinstance(admin_key_id, str):
        try:
            g.admin_key = admin.session_admin(session_id, admin_key_id)
            return True
        except InvalidSession:
            session.clear()
            flash("Your session has ended. Sign in again.", "info")
    return False


@bp.before_request
def require_admin() -> BaseResponse | None:
    """Refuse a form without its CSRF token; send anyone not signed in to the sign-in page."""
    csrf.protect()  # POST only; raises CSRFError (a 400 page)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if signed_in_admin():
        return None
    come_back = current_path() if request.method == "GET" else None
    return redirect(url_for("console.sign_in", next=come_back))


Page = tuple[str, int, dict[str, str]]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | Page:
    """Sign in with an admin key pair (its public key and private key)."""
    target = safe_next(request.values.get("next")) or url_for("console.apps")
    if request.method == "GET":
        return render_template("console/sign_in.html", public_key="", next=target), 200, {}
    public_key = request.form.get("public_key", "").strip()
    private_key = request.form.get("private_key", "")
    if not public_key or not private_key:
        return _sign_in_failed("Enter both the public key and the private key.", public_key,
                               target, 400)
    try:
        tokens = admin.login(public_key, private_key, request.remote_addr)
    except AuthError:
        return _sign_in_failed(
            "The public key or the private key is wrong, or the key pair is disabled.",
            public_key, target, 401)
    except DomainError as error:  # too many failed sign-ins, for one
        return _sign_in_failed(error.message, public_key, target, error.status, error.headers)
    previous = session.get(SESSION_ID)
    if isinstance(previous, str):  # signing in again replaces the session, not adds one
        admin.end_session(previous)
    session.clear()  # nothing of the old cookie survives a sign-in
    session[ADMIN_KEY_ID] = tokens.user_id
    session[SESSION_ID] = tokens.session_id
    return redirect(target)


def _sign_in_failed(message: str, public_key: str, target: str, status: int,
                    headers: dict[str, str] | None = None) -> Page:
    # The public key is kept in the form; the private key is never sent back.
    page = render_template("console/sign_in.html", error=message, public_key=public_key,
                           next=target)
    return page, status, headers or {}


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response | BaseResponse:
    """End the admin session in the database and forget the cookie."""
    session_id = session.get(SESSION_ID)
    if isinstance(session_id, str):
        admin.end_session(session_id)
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("console.sign_in"))
