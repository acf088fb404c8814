"""The console's pages: apps, an app's Authentication page, App Users (with its pending
registrations) and its API Keys.

Every rule lives in the domain: these views call it as the Admin API's views do, and turn
a refusal (`DomainError`) into words on the page, keeping what was typed in the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.domain import admin, api_keys, apps, providers, registrations, usage, users
from app.domain.errors import APIKeyAlreadyExists, DomainError
from app.http.console.blueprint import bp, safe_next
from app.models import App, AuthProvider, Group

Page = tuple[str, int]

APP = "/groups/<group_id>/apps/<app_id>"
ACTION = "<any(enable, disable):action>"

PROVIDER_TITLES = {
    providers.API_KEY: "API Keys",
    providers.ANON_USER: "Anonymous",
    providers.LOCAL_USERPASS: "Email/Password",
}


def _app(group_id: str, app_id: str) -> tuple[Group, App]:
    group = admin.group_for(g.admin_key, group_id)
    return group, apps.get_app(group, app_id)


def _app_page(template: str, group: Group, app: App, status: int = 200,
              **context: Any) -> Page:
    page = render_template(f"console/{template}", group=group, app=app,
                           provider_titles=PROVIDER_TITLES, **context)
    return page, status


def _back(default: str) -> BaseResponse:
    """Redirect to the page the form came from (a console path), or to `default`."""
    return redirect(safe_next(request.form.get("next")) or default)


def _switch(row: Any, set_disabled: Callable[[Any, bool], None], action: str, what: str,
            back: str) -> BaseResponse:
    """Enable or disable `row` as the form asked, say so, and go back where it was sent."""
    set_disabled(row, action == "disable")
    flash(f"{what} is {action}d.", "success")
    return _back(back)


def _confirm_then_delete(group: Group, app: App, *, what: str, consequence: str,
                         back: str, delete: Callable[[], None],
                         **page: Any) -> BaseResponse | Page:
    """GET asks whether to delete `what` (saying what goes with it); POST deletes it."""
    if request.method == "GET":
        return _app_page("confirm_delete.html", group, app, what=what, cancel=back,
                         consequence=consequence, **page)
    delete()
    flash(f"{what[:1].upper()}{what[1:]} is deleted.", "success")
    return redirect(back)


# --- apps ----------------------------------------------------------------------------


@bp.route("/")
def index() -> BaseResponse:
    return redirect(url_for("console.apps"))


@bp.route("/apps", endpoint="apps", methods=["GET", "POST"])
def apps_page() -> BaseResponse | Page:
    """List the apps of every group the admin may manage; create one."""
    groups = admin.groups_of(g.admin_key)
    if request.method == "GET":
        return _apps_page(groups)
    name = request.form.get("name", "").strip()
    group_id = request.form.get("group_id", "")
    try:
        group = admin.group_for(g.admin_key, group_id)
        created = apps.create_app(group, name)
    except DomainError as error:
        return _apps_page(groups, error=error.message, name=name, group_id=group_id,
                          status=error.status)
    flash(f"App {created.name} created. Its client App ID is {created.client_app_id}.",
          "success")
    return redirect(url_for("console.app_users", group_id=group.id, app_id=created.id))


def _apps_page(groups: list[Group], *, error: str | None = None, name: str = "",
               group_id: str = "", status: int = 200) -> Page:
    listing = [(group, apps.list_apps(group)) for group in groups]
    page = render_template("console/apps.html", listing=listing, groups=groups, error=error,
                           name=name, group_id=group_id or (groups[0].id if groups else ""))
    return page, status


@bp.route(APP + "/delete", methods=["GET", "POST"])
def delete_app(group_id: str, app_id: str) -> BaseResponse | Page:
    """Ask, then delete an app with everything in it."""
    group, app = _app(group_id, app_id)
    return _confirm_then_delete(
        group, app, what=f"app {app.name}",
        consequence=(f"Its users, API keys, providers and sessions are deleted with it: "
                     f"nothing logs in to {app.client_app_id} any more."),
        back=url_for("console.apps"), delete=lambda: apps.delete_app(app),
    )


@bp.route(APP)
def app_home(group_id: str, app_id: str) -> BaseResponse:
    _app(group_id, app_id)
    return redirect(url_for("console.app_users", group_id=group_id, app_id=app_id))


# --- Authentication (providers) --------------------------------------------------------


@bp.route(APP + "/authentication")
def authentication(group_id: str, app_id: str) -> Page:
    """The app's authentication providers, each with its state and a toggle."""
    group, app = _app(group_id, app_id)
    return _authentication_page(group, app)


def _authentication_page(group: Group, app: App, *, status: int = 200,
                         add_error: str | None = None) -> Page:
    listed = providers.list_providers(app)
    present = {provider.type for provider in listed}
    addable = [provider_type for provider_type in PROVIDER_TITLES if provider_type not in present]
    return _app_page("authentication.html", group, app, status=status,
                     section="authentication", providers=listed, addable=addable,
                     add_error=add_error)


@bp.route(APP + "/authentication/add", methods=["POST"])
def add_provider(group_id: str, app_id: str) -> BaseResponse | Page:
    """Add a provider the app lacks, enabled (Email/Password: confirming users or not)."""
    group, app = _app(group_id, app_id)
    provider_type = request.form.get("type", "")
    config = ({"autoConfirm": request.form.get("auto_confirm") == "1"}
              if provider_type == providers.LOCAL_USERPASS else {})
    try:
        providers.create_provider(app, provider_type, config=config)
    except DomainError as error:
        return _authentication_page(group, app, status=error.status, add_error=error.message)
    flash(f"The {PROVIDER_TITLES.get(provider_type, provider_type)} provider is added and "
          "enabled.", "success")
    return redirect(url_for("console.authentication", group_id=group_id, app_id=app_id))


@bp.route(APP + "/authentication/<provider_id>")
def provider_page(group_id: str, app_id: str, provider_id: str) -> Page:
    """One provider: its state, its toggle, and (for API Keys) the way to its keys."""
    group, app = _app(group_id, app_id)
    provider = providers.get_provider(app, provider_id)
    title = PROVIDER_TITLES.get(provider.type, provider.name)
    # "... provider": the API Keys page is the app's keys; this is the provider's settings.
    return _app_page("provider.html", group, app, section="authentication", provider=provider,
                     provider_title=title, page_title=f"{title} provider")


@bp.route(APP + "/authentication/<provider_id>/" + ACTION, methods=["POST"])
def toggle_provider(group_id: str, app_id: str, provider_id: str, action: str) -> BaseResponse:
    """Enable or disable a provider; it takes effect at once (there is nothing to deploy)."""
    _, app = _app(group_id, app_id)
    provider = providers.get_provider(app, provider_id)
    title = PROVIDER_TITLES.get(provider.type, provider.name)
    return _switch(provider, providers.set_disabled, action, f"The {title} provider",
                   url_for("console.authentication", group_id=group_id, app_id=app_id))


# --- App Users -------------------------------------------------------------------------


@bp.route(APP + "/users")
def app_users(group_id: str, app_id: str) -> Page:
    """The app's users, 50 a page: type, provider, state, and what can be done to each."""
    group, app = _app(group_id, app_id)
    after = request.args.get("after") or None
    found = users.list_users(app, users.UserQuery(after=after))
    identities = users.identities_by_user(found)
    sessions = usage.live_sessions_by_user([user.id for user in found])
    rows = [{"user": user, "providers": sorted({i.provider_type for i in identities[user.id]}),
             "name": _user_name(user.data), "sessions": sessions.get(user.id, 0)}
            for user in found]
    return _app_page("users.html", group, app, section="users", tab="users", rows=rows,
                     after=after, next_after=found[-1].id if len(found) == users.PAGE_SIZE
                     else None)


def _user_name(data: dict[str, Any]) -> str:
    return str(data.get("name") or data.get("email") or "")


@bp.route(APP + "/users/<user_id>/" + ACTION, methods=["POST"])
def toggle_user(group_id: str, app_id: str, user_id: str, action: str) -> BaseResponse:
    """Enable or disable a user; disabling ends the user's sessions."""
    _, app = _app(group_id, app_id)
    user = users.get_user(app, user_id)
    return _switch(user, users.set_disabled, action, f"User {user.id}",
                   url_for("console.app_users", group_id=group_id, app_id=app_id))


@bp.route(APP + "/users/<user_id>/delete", methods=["GET", "POST"])
def delete_user(group_id: str, app_id: str, user_id: str) -> BaseResponse | Page:
    """Ask, then delete a user with its identities, keys and sessions."""
    group, app = _app(group_id, app_id)
    user = users.get_user(app, user_id)
    return _confirm_then_delete(
        group, app, section="users", what=f"user {user.id}",
        consequence=("Its identities, API keys and sessions are deleted with it, and it can "
                     "no longer log in."),
        back=url_for("console.app_users", group_id=group_id, app_id=app_id),
        delete=lambda: users.delete_user(user),
    )


@bp.route(APP + "/users/providers")
def user_providers(group_id: str, app_id: str) -> Page:
    """App Users → Authentication Providers: one button per provider of the app."""
    group, app = _app(group_id, app_id)
    return _app_page("user_providers.html", group, app, section="users", tab="providers",
                     providers=providers.list_providers(app))


# --- App Users → Pending Users ------------------------------------------------------------


@bp.route(APP + "/users/pending")
def pending_users(group_id: str, app_id: str) -> Page:
    """Email/password registrations waiting for an admin's confirmation, 50 a page."""
    group, app = _app(group_id, app_id)
    after = request.args.get("after") or None
    pending = registrations.list_pending(app, after)
    return _app_page("pending_users.html", group, app, section="users", tab="pending",
                     pending=pending, after=after, confirmation=registrations.confirmation(app),
                     next_after=pending[-1].id if len(pending) == users.PAGE_SIZE else None)


def _pending_page(group_id: str, app_id: str) -> str:
    return url_for("console.pending_users", group_id=group_id, app_id=app_id)


@bp.route(APP + "/users/pending/<registration_id>/confirm", methods=["POST"])
def confirm_pending_user(group_id: str, app_id: str, registration_id: str) -> BaseResponse:
    """Confirm a pending registration: its email and password may log in from now on."""
    _, app = _app(group_id, app_id)
    registration = registrations.get_pending(app, registration_id)
    registrations.confirm(app, registration.email)
    flash(f"{registration.email} is confirmed and can log in now; the user appears in App "
          "Users at its first login.", "success")
    return redirect(_pending_page(group_id, app_id))


@bp.route(APP + "/users/pending/<registration_id>/delete", methods=["GET", "POST"])
def delete_pending_user(group_id: str, app_id: str,
                        registration_id: str) -> BaseResponse | Page:
    """Ask, then delete a pending registration; the email may register again."""
    group, app = _app(group_id, app_id)
    registration = registrations.get_pending(app, registration_id)
    return _confirm_then_delete(
        group, app, section="users", tab="pending",
        what=f"pending user {registration.email}",
        consequence="Its registration is dropped: it cannot log in, and the email may "
                    "register again.",
        back=_pending_page(group_id, app_id),
        delete=lambda: registrations.delete_pending(app, registration.email),
    )


# --- App Users → Authentication Providers → API Keys -------------------------------------


def _api_key_provider(app: App) -> AuthProvider | None:
    return providers.find_provider(app, providers.API_KEY)


@bp.route(APP + "/users/providers/api-key", methods=["GET", "POST"])
def api_keys_page(group_id: str, app_id: str) -> BaseResponse | Page:
    """The app's server API keys; a POST creates one and shows its value, this once."""
    group, app = _app(group_id, app_id)
    if request.method == "GET":
        return _app_page("api_keys.html", group, app, section="users", tab="providers",
                         keys=api_keys.list_server_keys(app), provider=_api_key_provider(app))
    name = request.form.get("name", "").strip()
    try:
        issued = api_keys.create_server_key(app, name)
    except DomainError as error:
        return _app_page("api_key_new.html", group, app, status=error.status,
                         section="users", tab="providers", provider=_api_key_provider(app),
                         name=name, error=_name_problem(error, name))
    # The value goes into this response only: not into a URL, a redirect, or the session.
    return _app_page("api_key_created.html", group, app, status=201, section="users",
                     tab="providers", api_key=issued.api_key, key=issued.key,
                     base_url=public_base_url())


def public_base_url() -> str:
    """The base URL clients use: PUBLIC_URL, or the one this page was asked for."""
    return str(current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def _name_problem(error: DomainError, name: str) -> str:
    """Say what is wrong with a key name in a person's words.

    The APIs keep the original's words, which SDKs compare ("API key with name already
    exists"); the form knows the name and can say more.
    """
    if isinstance(error, APIKeyAlreadyExists):
        return f"an API key named '{name}' already exists"
    if error.message == api_keys.NAME_RULE:
        return f"an API key name {api_keys.NAME_RULE}"
    return error.message


@bp.route(APP + "/users/providers/api-key/new")
def new_api_key(group_id: str, app_id: str) -> Page:
    """Create API Key: the form asking for a unique name."""
    group, app = _app(group_id, app_id)
    return _app_page("api_key_new.html", group, app, section="users", tab="providers",
                     provider=_api_key_provider(app), name="")


@bp.route(APP + "/api-keys/<key_id>/" + ACTION, methods=["POST"])
def toggle_api_key(group_id: str, app_id: str, key_id: str, action: str) -> BaseResponse:
    """Enable or disable a server key; disabling ends the sessions it opened."""
    _, app = _app(group_id, app_id)
    api_key = api_keys.get_server_key(app, key_id)
    return _switch(api_key, api_keys.set_disabled, action, f"API key {api_key.name}",
                   url_for("console.api_keys_page", group_id=group_id, app_id=app_id))


@bp.route(APP + "/api-keys/<key_id>/delete", methods=["GET", "POST"])
def delete_api_key(group_id: str, app_id: str, key_id: str) -> BaseResponse | Page:
    """Ask, then delete a server key with its server user and sessions."""
    group, app = _app(group_id, app_id)
    api_key = api_keys.get_server_key(app, key_id)
    return _confirm_then_delete(
        group, app, section="users", tab="providers", what=f"API key {api_key.name}",
        consequence=("Its server user is deleted with it, and whatever uses the key can no "
                     "longer log in."),
        back=url_for("console.api_keys_page", group_id=group_id, app_id=app_id),
        delete=lambda: api_keys.delete_server_key(api_key),
    )
