"""Creating the tables at start-up, idempotently, and recording the schema version.

Later releases add numbered steps to `MIGRATIONS`; a database recorded at a newer
version than this code knows is refused rather than silently misread.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable

import peewee

from app import clock
from app.db import database, is_sqlite
from app.domain import apps
from app.models import (
    ALL_MODELS,
    ApiKey,
    App,
    AuthProvider,
    Identity,
    LoginFailure,
    PasswordCredential,
    SchemaVersion,
    Session,
    SigningKey,
    User,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 8

# The tables whose listings follow creation: the database numbers their rows as they are
# inserted (`creation_order`), since ids minted by different processes, or different
# servers, do not sort by creation time. PostgreSQL numbers them with a sequence; SQLite,
# whose writers take turns, with a trigger that follows the largest number yet.
ORDERED_MODELS = (User, ApiKey, PasswordCredential)


def _add_login_failures() -> None:
    # Version 2 counts failed logins to throttle brute force (app.domain.throttle).
    # ensure_schema creates missing tables before it runs the steps, so the table is
    # usually there already; creating it here too keeps this step right on its own.
    database.create_tables([LoginFailure], safe=True)


def _widen_admin_private_key_hashes() -> None:
    # Version 3 stores admin private keys as salted scrypt strings (app.domain.admin_secrets),
    # longer than the 64 hex digits of the SHA-256 before. The rows keep their SHA-256
    # until each pair next logs in (or, for the pair from the environment, the next start).
    # SQLite does not enforce a VARCHAR's length, and rebuilding the table to change
    # its declaration would gain nothing: only PostgreSQL's column changes.
    if not is_sqlite():
        database.execute_sql(
            "ALTER TABLE admin_key ALTER COLUMN private_key_digest TYPE VARCHAR(255)"
        )


def _take_back_what_linking_gave_server_users() -> None:
    # Version 4 refuses linking from key sessions and to server users (a leaked key could
    # attach a password that outlived it). What earlier releases let through goes: a
    # server user keeps only its key's identity, and only the sessions its key opened.
    # (A password linked to a normal user through one of its user keys cannot be told
    # from one its owner linked, and stays: the CHANGELOG says how to look for them.)
    server_users = User.select(User.id).where(User.type == "server")
    removed = Session.delete().where(
        Session.user.in_(server_users) & Session.api_key.is_null()
    ).execute()
    unlinked = Identity.delete().where(
        Identity.user.in_(server_users) & (Identity.provider_type != "api-key")
    ).execute()
    if removed or unlinked:
        log.warning("removed %d identities linked to server users and %d sessions they "
                    "opened", unlinked, removed)


def _normalise_stored_emails() -> None:
    # Version 5 compares emails in Unicode NFC (as well as in lower case, as before), so
    # that two accounts cannot look identical. Rows stored otherwise are rewritten, the
    # user's data with them, unless their NFC form is taken in the app: then both would
    # look the same, and the older-normalised one keeps the address (the other can no
    # longer log in by password; the admin sees both, and the warning names the row).
    rows = PasswordCredential.select(PasswordCredential.id, PasswordCredential.app,
                                     PasswordCredential.email).tuples()
    for credential_id, app_id, email in list(rows.iterator()):
        normal = unicodedata.normalize("NFC", email)
        if normal == email:  # every ASCII address, so nearly all
            continue
        taken = PasswordCredential.select().where(
            (PasswordCredential.app == app_id) & (PasswordCredential.email == normal)
        ).exists()
        if taken:
            log.warning("email/password credential %s: its address equals another one of "
                        "the same app once normalised; left as it is", credential_id)
            continue
        PasswordCredential.update(email=normal).where(
            PasswordCredential.id == credential_id).execute()
        owners = User.select(User.id, User.data).join(Identity).where(
            (Identity.provider_type == "local-userpass") & (Identity.external_id == credential_id)
        )
        for user in owners:
            if user.data.get("email") == email:
                User.update(data={**user.data, "email": normal}).where(
                    User.id == user.id).execute()


def _add_deployment_settings_and_metadata_fields() -> None:
    # Version 6 keeps what clients send when they create apps and providers (issue 20):
    # an app's environment and cloud region (its location and deployment model had
    # columns already) and a provider's metadata fields. Existing rows get what their
    # responses showed until now: no environment, the region of their location, no
    # metadata fields. Plain ADD COLUMN with a default, on both databases: peewee's
    # migrator makes a NOT NULL column on SQLite by rebuilding the table, and dropping
    # the old copy of `app` would cascade to everything that belongs to an app.
    # Each column is added only when missing, so the step is right on its own (a table
    # that create_tables made just before already has it).
    added = [
        (App, "environment", f"VARCHAR(16) NOT NULL DEFAULT '{apps.ENVIRONMENT}'"),
        (App, "provider_region", f"VARCHAR(32) NOT NULL DEFAULT '{apps.PROVIDER_REGION}'"),
        (AuthProvider, "metadata_fields", "TEXT NOT NULL DEFAULT '[]'"),
    ]
    for model, column, declaration in added:
        table = model._meta.table_name
        if column in {info.name for info in database.get_columns(table)}:
            continue
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {declaration}')
        if column == "provider_region":
            for location, region in apps.LOCATION_REGIONS.items():
                if region != apps.PROVIDER_REGION:
                    App.update(provider_region=region).where(
                        App.location == location).execute()


def _order_of_creation(model: type[peewee.Model]) -> str:
    return f"{model._meta.table_name}_creation_order"


def install_creation_order() -> None:
    """Make the database number new rows of `ORDERED_MODELS` (idempotent).

    PostgreSQL: a sequence is the column's default; it never hands out a number twice,
    whichever server inserts. SQLite: a trigger gives a new row the largest number plus
    one; SQLite's writers take turns (every write transaction holds the write lock), so
    two rows never get the same number, and a new row's number is larger than every
    row's that exists.
    """
    # The SQL below is built only from the models' own table names (S608).
    for model in ORDERED_MODELS:
        table = model._meta.table_name
        name = _order_of_creation(model)
        if is_sqlite():
            database.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER INSERT ON "{table}" '  # noqa: S608
                f"FOR EACH ROW WHEN NEW.creation_order IS NULL BEGIN "
                f'UPDATE "{table}" SET creation_order = '
                f'(SELECT COALESCE(MAX(creation_order), 0) + 1 FROM "{table}") '
                f"WHERE rowid = NEW.rowid; END"
            )
        else:
            database.execute_sql(f'CREATE SEQUENCE IF NOT EXISTS "{name}_seq"')
            database.execute_sql(
                f'SELECT setval(\'"{name}_seq"\', '  # noqa: S608
                f'(SELECT COALESCE(MAX(creation_order), 0) + 1 FROM "{table}"), false)'
            )
            database.execute_sql(
                f'ALTER TABLE "{table}" ALTER COLUMN creation_order '
                f"SET DEFAULT nextval('\"{name}_seq\"')"
            )
        # The largest number (SQLite's trigger) and each listing read this index.
        database.execute_sql(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}_idx" ON "{table}" (creation_order)'
        )


def _per_app_expiration_pending_users_and_creation_order() -> None:
    # Version 7: apps may set their own refresh token lifetime (NULL: the server's
    # REFRESH_TOKEN_SECONDS); a registration may wait for an admin's confirmation (every
    # existing credential was confirmed: autoConfirm was the only way to register); and
    # rows are numbered in creation order, existing ones in the best order known (their
    # creation time, then id: ids minted in one second by one process sort by creation).
    sqlite = is_sqlite()
    boolean_true = "INTEGER NOT NULL DEFAULT 1" if sqlite else "BOOLEAN NOT NULL DEFAULT TRUE"
    database.execute_sql('ALTER TABLE "app" ADD COLUMN refresh_token_seconds BIGINT')
    database.execute_sql(
        f'ALTER TABLE "password_credential" ADD COLUMN confirmed {boolean_true}')
    created = {User: "creation_date", ApiKey: "created_at", PasswordCredential: None}
    for model in ORDERED_MODELS:
        table = model._meta.table_name
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN creation_order BIGINT')
        order = f"{created[model]}, id" if created[model] else "id"  # names, not input
        database.execute_sql(
            f'UPDATE "{table}" SET creation_order = numbered.n FROM '  # noqa: S608
            f'(SELECT id, row_number() OVER (ORDER BY {order}) AS n FROM "{table}") AS numbered '
            f'WHERE "{table}".id = numbered.id'
        )
    install_creation_order()


def _add_signing_keys() -> None:
    # Version 8 signs client tokens with asymmetric keys published at
    # /.well-known/jwks.json (issue 14). ensure_schema has usually created the table
    # already; creating it here too keeps the step right on its own. The first key is
    # made at start-up (app.domain.signing_keys), not here: it needs the settings.
    # Tokens issued before (HS256, no `kid`) keep working until they expire.
    database.create_tables([SigningKey], safe=True)


# version -> the step that brings a database from version-1 to version.
MIGRATIONS: dict[int, Callable[[], None]] = {
    2: _add_login_failures,
    3: _widen_admin_private_key_hashes,
    4: _take_back_what_linking_gave_server_users,
    5: _normalise_stored_emails,
    6: _add_deployment_settings_and_metadata_fields,
    7: _per_app_expiration_pending_users_and_creation_order,
    8: _add_signing_keys,
}
# Any constant shared by every server; serialises schema changes on PostgreSQL.
_ADVISORY_LOCK_ID = 0x61707073


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of the service."""


def ensure_schema() -> int:
    """Create missing tables, run pending migrations, and return the schema version."""
    with database.atomic():
        if not is_sqlite():
            # Two servers starting together on one PostgreSQL must not both create tables.
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_ID,))
        database.create_tables(ALL_MODELS, safe=True)
        recorded = SchemaVersion.select(SchemaVersion.version).order_by(
            SchemaVersion.version.desc()
        ).first()
        current = recorded.version if recorded else 0
        if current > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the database is at schema version {current}, but this release knows only "
                f"up to {SCHEMA_VERSION}; upgrade the service"
            )
        if current == 0:  # a new database: the tables just created are the latest shape
            install_creation_order()
            SchemaVersion.create(version=SCHEMA_VERSION, applied_at=clock.timestamp())
            return SCHEMA_VERSION
        for version in range(current + 1, SCHEMA_VERSION + 1):
            log.info("migrating the database schema to version %d", version)
            MIGRATIONS[version]()
            SchemaVersion.create(version=version, applied_at=clock.timestamp())
    return SCHEMA_VERSION
