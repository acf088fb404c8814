"""The app factory: the only place that wires configuration, database and HTTP together."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from app import __version__, clock, storage
from app.config import Settings, load_or_create_secret
from app.domain import admin, signing_keys
from app.domain import settings as domain_settings
from app.http import admin as admin_http
from app.http import (
    app_log,
    console,
    errors,
    headers,
    health,
    index,
    metrics,
    swagger_ui,
    well_known,
)
from app.http import client as client_http
from app.http.flask_app import ServiceFlask
from app.http.smorest import ServiceApi
from app.models import ALL_MODELS
from app.pruner import Pruner
from app.storage.checkpoints import (
    DEFAULT_CHECKPOINT_PAGES,
    REQUEST_CHECKPOINT_PAGES,
    Checkpointer,
)

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the service; create the tables if they are missing."""
    settings = Settings.from_env()
    instance_path = Path(str((config or {}).get("INSTANCE_PATH", settings.INSTANCE_PATH)))
    app = ServiceFlask(__name__, instance_path=str(instance_path.absolute()))
    app.config.update(settings.as_flask_config())
    app.config.update(
        API_TITLE="appservices-auth",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        **swagger_ui.config(),  # Swagger UI at /docs, its files served by this service
    )
    if config:
        app.config.update(config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret(instance_path)
    _configure_logging(app.config["LOG_LEVEL"])
    domain_settings.configure(domain_settings.DomainSettings.from_config(app.config))

    checkpointer = Checkpointer(app.config["SQLITE_CHECKPOINT_INTERVAL_MS"])
    storage.connect_database(
        app.config["DATABASE_URL"], pool_size=app.config["DATABASE_POOL_SIZE"],
        checkpoint_pages=(REQUEST_CHECKPOINT_PAGES if checkpointer.enabled
                          else DEFAULT_CHECKPOINT_PAGES))
    with storage.database.connection_context():
        storage.ensure_schema(ALL_MODELS)
        signing_keys.ensure_signing_key()  # a changed SECRET_KEY stops the start here
        _ensure_configured_admin_key(app)
    # Nothing opened here may be inherited by forked workers (a shared SQLite handle
    # corrupts; a shared socket interleaves). Each worker connects on its first request.
    storage.close_all()
    _register_connection_hooks(app)
    _start_pruning(app)
    if checkpointer.enabled and storage.is_sqlite():
        app.extensions["appservices_checkpointer"] = checkpointer
        app.before_request(checkpointer.ensure_running)

    swagger_ui.init_app(app)  # before the Api: its /docs page replaces flask-smorest's
    api = ServiceApi(app, spec_kwargs={
        "info": {"description": "Admin API v3 and Client API v2 of Atlas App Services, "
                                "for everything API-key authentication touches."},
    })
    api.register_blueprint(health.blp)
    api.register_blueprint(well_known.blp)
    admin_http.init_app(api)
    client_http.init_app(api)
    errors.init_app(app)
    app_log.init_app(app)
    headers.init_app(app)
    console.init_app(app)
    index.init_app(app)
    _configure_http(app)
    metrics.init_app(app)
    if app.config["TEST_CLOCK"]:
        _enable_test_clock(app, instance_path)
    else:
        clock.share_offset_through(None)
    return app


def _enable_test_clock(app: Flask, instance_path: Path) -> None:
    from app.http import testing  # imported only when switched on

    log.warning("APPSERVICES_TEST_CLOCK is on: /_testing/clock can move this server's "
                "clock. Never use this setting in production.")
    clock.share_offset_through(instance_path / "test_clock_offset")
    app.register_blueprint(testing.blp)


FIRST_KEY_FILE = "first-admin-key.txt"


def bootstrap_admin(app: Flask) -> None:
    """On a first start with no admin key at all, create one and hand it over once.

    To a person at a terminal it is shown on stderr. Otherwise stderr is a log that is
    shipped and kept, where a secret must never go: the pair is written to a file in
    the instance folder that only the owner can read, and the log says where.
    """
    if not app.config["BOOTSTRAP_ADMIN"]:
        return
    with app.app_context(), storage.database.connection_context():
        issued = admin.bootstrap_if_empty()
    storage.close_all()
    if issued is None:
        return
    if _stderr_is_a_terminal():
        # Deliberately not through logging, which may also go to files or collectors.
        banner = "=" * 72
        text = _first_key_text(issued, "It is shown only now.")
        print(f"\n{banner}\n{text}{banner}\n", file=sys.stderr, flush=True)
        return
    instance_path = Path(app.instance_path)
    text = _first_key_text(issued, "Keep it somewhere safe, then delete this file.")
    try:
        path = _write_owner_only(instance_path, text, issued.admin_key.public_key)
    except OSError as error:
        # Nowhere safe to put the private key, so nobody could ever use this pair:
        # delete it, and the next start (with a writable instance folder) makes another.
        with app.app_context(), storage.database.connection_context():
            admin.delete_admin_key(issued.admin_key.public_key)
        storage.close_all()
        log.error("FIRST START: no admin key pair was kept, because it could not be written "
                  "to the instance folder %s (%s). Make one with `appservices admin "
                  "create-key`, or restart with a writable instance folder.",
                  instance_path, error.strerror or error)
        return
    log.warning("FIRST START: an admin key pair was created and written to %s (readable by "
                "its owner only). Keep it somewhere safe, then delete the file.", path)


def _first_key_text(issued: admin.IssuedAdminKey, advice: str) -> str:
    return (
        f"  FIRST START: an admin key pair was created. {advice}\n"
        f"  Public key:  {issued.admin_key.public_key}\n"
        f"  Private key: {issued.private_key}\n"
        f"  Group:       {issued.groups[0].name} ({issued.groups[0].id})\n"
        "  Log in: POST /api/admin/v3.0/auth/providers/mongodb-cloud/login\n"
        '         {"username": "<public key>", "apiKey": "<private key>"}\n'
    )


def _stderr_is_a_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by something file-like, or closed
        return False


def _write_owner_only(folder: Path, text: str, public_key: str) -> Path:
    """Write `text` to a new file in `folder` that only the owner can read; return its path.

    Created exclusively (O_EXCL): never through a symlink planted there, and never over
    a file left by an earlier first start, which may hold a pair of another database.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in (FIRST_KEY_FILE, f"first-admin-key-{public_key}.txt"):
        path = folder / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        return path
    raise FileExistsError(f"{folder / FIRST_KEY_FILE} and its alternative already exist")


def _ensure_configured_admin_key(app: Flask) -> None:
    public_key = app.config["ADMIN_PUBLIC_KEY"]
    private_key = app.config["ADMIN_PRIVATE_KEY"]
    if bool(public_key) != bool(private_key):
        raise RuntimeError(
            "set both APPSERVICES_ADMIN_PUBLIC_KEY and APPSERVICES_ADMIN_PRIVATE_KEY, or neither"
        )
    if public_key:
        admin.ensure_admin_key(public_key, private_key)


def _register_connection_hooks(app: Flask) -> None:
    # No hook opens a connection: peewee connects on a request's first query, so a
    # request that asks the database nothing (GET /healthz/live) never takes one.
    @app.teardown_request
    def release_connection(_error: BaseException | None) -> None:
        storage.release_connection()


def _start_pruning(app: Flask) -> None:
    # Each serving process starts its pruner on its first request (app.pruner says why).
    pruner = Pruner(app.config["PRUNE_INTERVAL_SECONDS"], app.config["PRUNE_BATCH_SIZE"])
    app.extensions["appservices_pruner"] = pruner
    if pruner.enabled:
        app.before_request(pruner.ensure_running)


def _configure_http(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:  # only then are X-Forwarded-* headers believed
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    # Browsers run realm-web, so the client API answers cross-origin requests; the
    # Admin API is for scripts and the console and sends no CORS headers at all.
    origins = [o.strip() for o in app.config["CORS_ALLOWED_ORIGINS"].split(",") if o.strip()]
    CORS(app, resources={r"/api/client/*": {"origins": origins or "*"}},
         allow_headers=["Authorization", "Content-Type"], max_age=600)

    @app.after_request
    def no_content_type_without_body(response: Response) -> Response:
        # realm-web parses any response labelled JSON, and refuses one labelled
        # anything else; a response without a body must carry no Content-Type.
        if response.status_code == 204 or (
            response.status_code < 300 and not response.is_streamed
            and not response.get_data()
        ):
            del response.headers["Content-Type"]
        return response


def _configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=level,
            format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
            stream=sys.stderr,
        )
    else:
        root.setLevel(level)
