"""Engines and migrations. The store takes an engine; this module only knows how to make one.

SQLite gets WAL (the daemon reads while the CLI writes), a busy timeout, foreign keys, and
`BEGIN IMMEDIATE` so a read-then-write transaction takes the write lock up front instead of
failing with "database is locked" when it upgrades. A connection with the execution option
`READ_ONLY` begins a plain (deferred) transaction instead: under WAL it reads while another
connection holds the write lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from campaign.errors import NoPlanStored, StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# The newest migration. Read-only commands compare the database with it in one query and import
# Alembic (with Mako and Pygments: a tenth of a second) only when they differ; a test keeps it
# equal to the newest script in migrations/versions.
SCHEMA_HEAD = "0011"

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "campaign_read_only"
KINDS = (
    "give a SQLite file (sqlite:///FILE, relative to the config) or a PostgreSQL database "
    "(postgresql+psycopg://USER@HOST/NAME)"
)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, with SQLite tuned for one daemon plus the
    CLI. Any other URL is refused in our words (the library's speak of plugins and modules)."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        # Not echoed: an unreadable URL may still hold a password.
        raise StoreError(f"the database URL given is not a URL: {KINDS}") from None
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"cannot use database URL {_safe(url)}: {KINDS}")
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError):
        raise StoreError(
            f"cannot use database URL {_safe(url)} (its driver is not installed): {KINDS}"
        ) from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _alembic() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration (idempotent; safe at every start)."""
    from alembic import command

    _run_migration(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (for an operator going back to an older version)."""
    from alembic import command

    _run_migration(engine, lambda config: command.downgrade(config, revision))


def _run_migration(engine: Engine, step: Callable[[AlembicConfig], None]) -> None:
    """One migration step in one transaction.

    On SQLite a migration that rebuilds a table others refer to (ALTER TABLE cannot drop a
    column with a constraint) must run with foreign keys off, and check them before it
    commits: SQLite's own procedure. The connection goes back to the pool with them on.
    """
    config = _alembic()
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys = OFF")  # before BEGIN: no effect inside
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    step(config)
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise StoreError(f"a migration broke references: {broken[:3]}")
            finally:
                if sqlite and raw is not None:
                    raw.execute("PRAGMA foreign_keys = ON")
    except SQLAlchemyError as exc:
        where = _safe(str(engine.url))
        raise StoreError(
            f"cannot migrate the database {where}: {getattr(exc, 'orig', exc)}"
        ) from None


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, or None for another database or an in-memory one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_existing(url: str, *, upgrade: bool = False) -> Engine:
    """An engine on a database `campaign plan` made, at the current schema; creates nothing.

    For commands that must not write a new database into being: a missing SQLite file or an
    empty schema is `NoPlanStored`; a newer schema is a `StoreError` that says what to do. An
    older schema is migrated when `upgrade` (commands that write anyway: pause must work right
    after an upgrade of the program) and refused otherwise (read-only commands write nothing).
    The file's existence is checked first because connecting would create it.
    """
    where = _safe(url)
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise NoPlanStored(f"there is no database at {path}")
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            current = _schema_revision(connection)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot read the database {where}: {getattr(exc, 'orig', exc)}") from None
    if current != SCHEMA_HEAD:
        from alembic.script import ScriptDirectory

        engine.dispose()
        if current is None:
            raise NoPlanStored(f"the database {where} is empty")
        scripts = ScriptDirectory.from_config(_alembic())
        head = scripts.get_current_head()
        if current in {script.revision for script in scripts.walk_revisions()}:
            if upgrade:
                migrate(engine)
                return engine
            raise StoreError(
                f"the database {where} was made by an older version of this program "
                f"(schema {current}, now {head}): run `campaign plan` to upgrade it"
            )
        raise StoreError(
            f"the database {where} was made by a newer version of this program (schema "
            f"{current}): upgrade this program before using it"
        )
    return engine


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def _schema_revision(connection: Any) -> str | None:
    """The migration the database is at (what Alembic's own lookup reads), None if none."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(revision) if revision is not None else None
