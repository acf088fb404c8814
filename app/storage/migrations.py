"""Schema versions: creating the tables at start-up, idempotently, and migrating.

A database records the versions applied to it (`schema_version`). A new database gets
the models' tables as they are now and the latest version; an older one runs each
missing step in order; one recorded at a newer version than this code knows is refused
(`SchemaTooNew`) rather than silently misread.

Adding a migration: write `_step_N` below (it brings a database from version N-1 to N),
add it at the end of `STEPS`; `SCHEMA_VERSION` follows. Change the model in app.models
too: new databases get their tables from the models, old ones from the step. A step
names tables and columns itself (`peewee.Table`, `playhouse.migrate`) instead of using
the models, which describe the latest shape, not the one the step starts from; and
copies the constants it uses, whose current values may not be the ones it applied.
Each step gets an upgrade test (tests/storage).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from app import clock
from app.storage.database import database, is_sqlite
from app.storage.models import JSONField, SchemaVersion

log = logging.getLogger(__name__)

# The tables whose listings follow creation: the database numbers their rows as they are
# inserted (`creation_order`), since ids minted by different processes, or different
# servers, do not sort by creation time. PostgreSQL numbers them with a sequence; SQLite,
# whose writers take turns, with a trigger that follows the largest number yet.
ORDERED_TABLES = ("user", "api_key", "password_credential")

# Any constant shared by every server; serialises schema changes on PostgreSQL.
_ADVISORY_LOCK_ID = 0x61707073


def _migrator() -> SchemaMigrator:
    migrator: SchemaMigrator = SchemaMigrator.from_database(  # type: ignore[no-untyped-call]
        database.obj)
    return migrator


def _step_2() -> None:
    # Version 2 counts failed logins to throttle brute force (app.domain.throttle): the
    # `login_failure` table, which `ensure_schema` creates from the models, with every
    # missing table, before it runs the steps. Nothing else changed.
    pass


def _step_3() -> None:
    # Version 3 stores admin private keys as salted scrypt strings (app.domain.admin_secrets),
    # longer than the 64 hex digits of the SHA-256 before. The rows keep their SHA-256
    # until each pair next logs in (or, for the pair from the environment, the next start).
    # SQLite does not enforce a VARCHAR's length, and rebuilding the table to change
    # its declaration would gain nothing: only PostgreSQL's column changes.
    if not is_sqlite():
        migrate(_migrator().alter_column_type(  # type: ignore[no-untyped-call]
            "admin_key", "private_key_digest", peewee.CharField(max_length=255)))


def _step_4() -> None:
    # Version 4 refuses linking from key sessions and to server users (a leaked key could
    # attach a password that outlived it). What earlier releases let through goes: a
    # server user keeps only its key's identity, and only the sessions its key opened.
    # (A password linked to a normal user through one of its user keys cannot be told
    # from one its owner linked, and stays: the CHANGELOG says how to look for them.)
    user = peewee.Table("user")
    session = peewee.Table("session")
    identity = peewee.Table("identity")
    server_users = user.select(user.c.id).where(user.c.type == "server")
    removed = session.delete().where(
        session.c.user_id.in_(server_users) & session.c.api_key_id.is_null()
    ).execute(database)
    unlinked = identity.delete().where(
        identity.c.user_id.in_(server_users) & (identity.c.provider_type != "api-key")
    ).execute(database)
    if removed or unlinked:
        log.warning("removed %d identities linked to server users and %d sessions they "
                    "opened", unlinked, removed)


def _step_5() -> None:
    # Version 5 compares emails in Unicode NFC (as well as in lower case, as before), so
    # that two accounts cannot look identical. Rows stored otherwise are rewritten, the
    # user's data with them, unless their NFC form is taken in the app: then both would
    # look the same, and the older-normalised one keeps the address (the other can no
    # longer log in by password; the admin sees both, and the warning names the row).
    credential = peewee.Table("password_credential")
    user = peewee.Table("user")
    identity = peewee.Table("identity")
    data = JSONField()
    rows = credential.select(credential.c.id, credential.c.app_id, credential.c.email).tuples()
    for credential_id, app_id, email in list(rows.execute(database)):
        normal = unicodedata.normalize("NFC", email)
        if normal == email:  # every ASCII address, so nearly all
            continue
        taken = credential.select(credential.c.id).where(
            (credential.c.app_id == app_id) & (credential.c.email == normal)
        ).exists(database)
        if taken:
            log.warning("email/password credential %s: its address equals another one of "
                        "the same app once normalised; left as it is", credential_id)
            continue
        credential.update({credential.c.email: normal}).where(
            credential.c.id == credential_id).execute(database)
        owners = user.select(user.c.id, user.c.data).join(
            identity, on=(identity.c.user_id == user.c.id)
        ).where(
            (identity.c.provider_type == "local-userpass")
            & (identity.c.external_id == credential_id)
        ).tuples()
        for user_id, stored in list(owners.execute(database)):
            user_data = data.python_value(stored)
            if user_data.get("email") == email:
                changed = data.db_value({**user_data, "email": normal})
                user.update({user.c.data: changed}).where(user.c.id == user_id).execute(database)


# What apps and providers made before version 6 showed (app.domain.apps then).
_V6_ENVIRONMENT = ""
_V6_PROVIDER_REGION = "aws-us-east-1"
_V6_LOCATION_REGIONS = {
    "US-VA": "aws-us-east-1", "US-OR": "aws-us-west-2", "DE-FF": "aws-eu-central-1",
    "IE": "aws-eu-west-1", "AU": "aws-ap-southeast-2", "IN-MB": "aws-ap-south-1",
    "SG": "aws-ap-southeast-1", "BR-SP": "aws-sa-east-1",
}


def _step_6() -> None:
    # Version 6 keeps what clients send when they create apps and providers (issue 20):
    # an app's environment and cloud region (its location and deployment model had
    # columns already) and a provider's metadata fields. Existing rows get what their
    # responses showed until now: no environment, the region of their location, no
    # metadata fields. Raw ADD COLUMN with a default, on both databases, not
    # playhouse.migrate: peewee's migrator makes a NOT NULL column on SQLite by rebuilding
    # the table, and dropping the old copy of `app` would cascade to everything that
    # belongs to an app. Each column is added only when missing, so the step is right on
    # its own (a table that create_tables made just before already has it).
    added = [
        ("app", "environment", f"VARCHAR(16) NOT NULL DEFAULT '{_V6_ENVIRONMENT}'"),
        ("app", "provider_region", f"VARCHAR(32) NOT NULL DEFAULT '{_V6_PROVIDER_REGION}'"),
        ("auth_provider", "metadata_fields", "TEXT NOT NULL DEFAULT '[]'"),
    ]
    app = peewee.Table("app")
    for table, column, declaration in added:
        if column in {info.name for info in database.get_columns(table)}:
            continue
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {declaration}')
        if column == "provider_region":
            for location, region in _V6_LOCATION_REGIONS.items():
                if region != _V6_PROVIDER_REGION:
                    app.update({app.c.provider_region: region}).where(
                        app.c.location == location).execute(database)


def install_creation_order() -> None:
    """Make the database number new rows of `ORDERED_TABLES` (idempotent).

    PostgreSQL: a sequence is the column's default; it never hands out a number twice,
    whichever server inserts. SQLite: a trigger gives a new row the largest number plus
    one; SQLite's writers take turns (every write transaction holds the write lock), so
    two rows never get the same number, and a new row's number is larger than every
    row's that exists. Raw SQL: playhouse.migrate has no triggers, sequences or column
    defaults taken from a sequence.
    """
    # The SQL below is built only from the tables' own names (S608).
    for table in ORDERED_TABLES:
        name = f"{table}_creation_order"
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


def _step_7() -> None:
    # Version 7: apps may set their own refresh token lifetime (NULL: the server's
    # REFRESH_TOKEN_SECONDS); a registration may wait for an admin's confirmation (every
    # existing credential was confirmed: autoConfirm was the only way to register); and
    # rows are numbered in creation order, existing ones in the best order known (their
    # creation time, then id: ids minted in one second by one process sort by creation).
    migrator = _migrator()
    migrate(  # type: ignore[no-untyped-call]
        migrator.add_column(
            "app", "refresh_token_seconds", peewee.BigIntegerField(null=True)),
        *(migrator.add_column(
            table, "creation_order", peewee.BigIntegerField(null=True))
          for table in ORDERED_TABLES),
    )
    # NOT NULL with a default: raw, for the reason given in _step_6.
    boolean_true = "INTEGER NOT NULL DEFAULT 1" if is_sqlite() else "BOOLEAN NOT NULL DEFAULT TRUE"
    database.execute_sql(
        f'ALTER TABLE "password_credential" ADD COLUMN confirmed {boolean_true}')
    # A window function in an UPDATE ... FROM: raw SQL, from table and column names only.
    created = {"user": "creation_date", "api_key": "created_at", "password_credential": None}
    for table in ORDERED_TABLES:
        order = f"{created[table]}, id" if created[table] else "id"
        database.execute_sql(
            f'UPDATE "{table}" SET creation_order = numbered.n FROM '  # noqa: S608
            f'(SELECT id, row_number() OVER (ORDER BY {order}) AS n FROM "{table}") AS numbered '
            f'WHERE "{table}".id = numbered.id'
        )
    install_creation_order()


def _step_8() -> None:
    # Version 8: a server key's value can be rolled, the value before staying valid for a
    # grace period (its digest, unique, and until when); a key may expire. Existing keys
    # were never rolled, have no previous value and never expire; existing sessions were
    # opened with their key's only value (roll 0).
    migrator = _migrator()
    migrate(  # type: ignore[no-untyped-call]
        migrator.add_column("api_key", "previous_digest",
                            peewee.CharField(max_length=64, null=True)),
        migrator.add_column("api_key", "previous_valid_until",
                            peewee.BigIntegerField(null=True)),
        migrator.add_column("api_key", "expires_at", peewee.BigIntegerField(null=True)),
    )
    # NOT NULL with a default: raw, for the reason given in _step_6.
    for table, column in (("api_key", "rolls"), ("session", "api_key_roll")):
        database.execute_sql(
            f'ALTER TABLE "{table}" ADD COLUMN "{column}" INTEGER NOT NULL DEFAULT 0')
    install_previous_digest_index()


def install_previous_digest_index() -> None:
    """Index a rolled key's previous digest (idempotent): a login looks a value up by
    either digest in one query, and both must be indexed for that to stay fast."""
    database.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "api_key_previous_digest" '
                         'ON "api_key" ("previous_digest")')


def _step_9() -> None:
    # Version 9 bounds each user's live sessions (a login trims the user's oldest, read
    # newest first by user and creation time) and prunes expired rows in the background
    # (sessions and admin sessions by expiry; login failures by window, indexed since
    # version 2). Indexes only; the names are those peewee gives the models' indexes, so a
    # new database and an upgraded one have the same. The (user, created_at, id) index
    # begins with what the session's own user index held: that one goes.
    for statement in (
        'CREATE INDEX IF NOT EXISTS "session_user_id_created_at_id" '
        'ON "session" ("user_id", "created_at", "id")',
        'CREATE INDEX IF NOT EXISTS "session_expires_at" ON "session" ("expires_at")',
        'CREATE INDEX IF NOT EXISTS "admin_session_expires_at" '
        'ON "admin_session" ("expires_at")',
        'DROP INDEX IF EXISTS "session_user_id"',
    ):
        database.execute_sql(statement)


def _step_10() -> None:
    # Version 10 signs client tokens with asymmetric keys published at
    # /.well-known/jwks.json (issue 14), kept in the new table `signing_key`. Nothing to do
    # here: ensure_schema creates every missing table from the models just before the
    # steps run, and the first key is made at start-up (app.domain.signing_keys), since it
    # needs the settings. Tokens issued before (HS256, no `kid`) keep working until they
    # expire.
    pass


def _step_11() -> None:
    # Version 11 prunes devices (app.domain.pruning): each device row says until when a
    # session opened from it may live (`keep_until`, indexed; none while an anonymous
    # session, which never expires, may use it). Existing devices are dated once here:
    # those of an anonymous session get none; any other session opened from a device
    # began at or before the device was last seen, and lives at most the longest refresh
    # lifetime there is, so the device is dated that far, and a day, after it was seen.
    migrator = _migrator()
    migrate(  # type: ignore[no-untyped-call]
        migrator.add_column("device", "keep_until", peewee.BigIntegerField(null=True)))
    install_device_retention_index()
    longest_session_seconds = 5 * 365 * 24 * 3600 + 24 * 3600  # MAX_REFRESH_SECONDS, a day
    device, session = peewee.Table("device"), peewee.Table("session")
    anonymous_devices = session.select(session.c.device_id).where(
        session.c.expires_at.is_null())
    device.update({device.c.keep_until: device.c.last_seen + longest_session_seconds}).where(
        device.c.id.not_in(anonymous_devices)).execute(database)


def install_device_retention_index() -> None:
    """Index devices by `keep_until` (idempotent): pruning reads them by it."""
    database.execute_sql('CREATE INDEX IF NOT EXISTS "device_keep_until" '
                         'ON "device" ("keep_until")')


def _step_12() -> None:
    # Version 12 keeps app log entries (issue 15): the new table `app_log` with its
    # indexes, which ensure_schema creates from the models just before the steps run, as
    # for version 10. Nothing older changes, so there is nothing to convert.
    pass


# What version 13 added to `api_key` (columns of their own, all nullable).
_LAST_USED_COLUMNS = (
    ("last_used_at", peewee.BigIntegerField(null=True)),
    ("last_used_ip", peewee.CharField(max_length=64, null=True)),
    ("last_used_sdk", peewee.CharField(max_length=128, null=True)),
    ("last_used_sdk_version", peewee.CharField(max_length=128, null=True)),
    ("last_used_platform", peewee.CharField(max_length=128, null=True)),
    ("last_used_platform_version", peewee.CharField(max_length=128, null=True)),
)


def _step_13() -> None:
    # Version 13 records each API key's last login (issue 15): when, from which address,
    # with which SDK and platform. Nullable columns: existing keys have never been seen
    # logging in, and show nothing until their next login. A column already there is
    # left alone, so the step can run again after a failure part way.
    present = {column.name for column in database.get_columns("api_key")}
    missing = [(name, field) for name, field in _LAST_USED_COLUMNS if name not in present]
    if missing:
        migrator = _migrator()
        migrate(*(migrator.add_column("api_key", name, field)  # type: ignore[no-untyped-call]
                  for name, field in missing))


# What version 14 gives users that were there before it: more sessions than any bound
# allows (MAX_SESSIONS_PER_USER is at most 1,000,000), so that each is counted once, at
# its next login, before the cheap path is trusted.
UNCOUNTED_SESSIONS = 2_147_483_647


def _step_14() -> None:
    # Version 14 lets a login skip counting its user's sessions (`user.sessions_at_most`,
    # app.models.user). The database default is the "uncounted" value, not 0, so that a
    # row an older release inserts is counted too. Re-runnable: a column already there is
    # left alone.
    if "sessions_at_most" not in {column.name for column in database.get_columns("user")}:
        database.execute_sql('ALTER TABLE "user" ADD COLUMN "sessions_at_most" INTEGER '
                             f"NOT NULL DEFAULT {UNCOUNTED_SESSIONS}")


# The steps in order: STEPS[0] brings a database from version 1 to 2, and so on.
STEPS: list[Callable[[], None]] = [_step_2, _step_3, _step_4, _step_5, _step_6, _step_7,
                                   _step_8, _step_9, _step_10, _step_11, _step_12,
                                   _step_13, _step_14]
SCHEMA_VERSION = len(STEPS) + 1
# version -> the step that brings a database from version-1 to version.
MIGRATIONS: dict[int, Callable[[], None]] = {
    version: step for version, step in enumerate(STEPS, start=2)
}


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of the service."""


def recorded_schema_version() -> int:
    """The latest schema version the open database records; 0 for one with none."""
    recorded = SchemaVersion.select(SchemaVersion.version).order_by(
        SchemaVersion.version.desc()
    ).first()
    return recorded.version if recorded else 0


def ensure_schema(models: Sequence[type[peewee.Model]]) -> int:
    """Create the missing tables of `models`, run pending migrations, return the version."""
    with database.atomic():
        if not is_sqlite():
            # Two servers starting together on one PostgreSQL must not both create tables.
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_ID,))
        database.create_tables(list(dict.fromkeys([SchemaVersion, *models])), safe=True)
        current = recorded_schema_version()
        if current > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the database is at schema version {current}, but this release knows only "
                f"up to {SCHEMA_VERSION}; upgrade the service"
            )
        if current == 0:  # a new database: the tables just created are the latest shape
            install_creation_order()
            install_previous_digest_index()
            install_device_retention_index()
            SchemaVersion.create(version=SCHEMA_VERSION, applied_at=clock.timestamp())
            return SCHEMA_VERSION
        for version in range(current + 1, SCHEMA_VERSION + 1):
            log.info("migrating the database schema to version %d", version)
            MIGRATIONS[version]()
            SchemaVersion.create(version=version, applied_at=clock.timestamp())
    return SCHEMA_VERSION
