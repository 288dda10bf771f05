"""The engine, transactions and migrations: what every group of store operations builds on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from drip.store import values

if TYPE_CHECKING:
    import alembic.config

_READ_ONLY = "drip_read_only"
# The key, in a pooled SQLite connection's info, of whether its last write committed lazily
# (`sync_for`): a write whose loss in a crash of the machine costs a duplicate, never a lost
# email, the record of a send (docs/delivery-guarantees.md).
_LAZY_COMMIT = "drip_lazy_commit"


class StoreBase:
    """Owns the engine. Each operation runs in one short transaction of its own."""

    def __init__(self, url: str, *, suppression_key: str = "", **engine_options: Any) -> None:
        """`suppression_key` keys the hashes of suppressed addresses; operations that check or
        write one raise ConfigError without it (status and migrations need none)."""
        self._engine = sa.create_engine(url, **engine_options)
        self._hashes = values.AddressHash(suppression_key)
        self._sqlite = self._engine.dialect.name == "sqlite"
        if self._sqlite:
            _configure_sqlite(self._engine)

    @property
    def engine(self) -> sa.Engine:
        return self._engine

    @property
    def hashes(self) -> values.AddressHash:
        """The keyed hash of suppressions; rate limits key their counters with it too."""
        return self._hashes

    def upgrade(self) -> None:
        """Run the packaged Alembic migrations up to head (a no-op when already there)."""
        from alembic import command  # here, not at the top: only `drip db upgrade` needs it

        with self._engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._engine.connect().execution_options(**{_READ_ONLY: True}) as conn, conn.begin():
            yield conn


def alembic_config() -> alembic.config.Config:
    """An Alembic Config built in code, pointing at the migrations shipped in the package."""
    import alembic.config

    cfg = alembic.config.Config()
    cfg.set_main_option("script_location", str(resources.files("drip") / "migrations"))
    return cfg


def _configure_sqlite(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling is switched off so that every write transaction can
    # start with BEGIN IMMEDIATE: it takes the write lock up front (waiting up to busy_timeout)
    # instead of failing with "database is locked" when a read turns into a write.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")  # every commit synced, but lazy ones
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")  # a read commits nothing: no sync setting to choose
            return
        # Every write through SQLAlchemy commits durably; only the record of a send, on the
        # driver's connection (store/driver.py), commits lazily.
        sync_for(conn.connection.info, lazy=False, execute=conn.exec_driver_sql)
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def sync_for(info: dict[Any, Any], *, lazy: bool, execute: Callable[[str], object]) -> None:
    """SQLite: set `synchronous` for the write about to begin on a pooled connection (`info`,
    the pool's record of it): NORMAL for a lazy commit, FULL otherwise. The pragma holds per
    connection and may change only outside a transaction: it is set before each write whose
    kind differs from the connection's last write."""
    if info.get(_LAZY_COMMIT, False) != lazy:
        execute(f"PRAGMA synchronous={'NORMAL' if lazy else 'FULL'}")
        info[_LAZY_COMMIT] = lazy


def as_sqlalchemy_error(
    exc: Exception, dialect: sa.Dialect, statement: str | None = None, *, invalidated: bool = False
) -> sa.exc.StatementError:
    """A driver's error, raised where drip talks to the driver itself (store/driver.py,
    store/bulk.py), as SQLAlchemy would have wrapped it (IntegrityError, OperationalError…):
    callers and `transient` read one kind of error whichever path met it. `invalidated`: the
    connection was dropped and invalidated in the pool."""
    return sa.exc.DBAPIError.instance(
        statement,
        None,
        exc,
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


def transient(exc: BaseException) -> bool:
    """Whether `exc` says the database is away for now (a dropped connection, a server
    restarting, a lock held too long), so that the same operation may succeed if asked again."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa.exc.InterfaceError):
        return True
    if isinstance(exc, sa.exc.OperationalError):
        said = str(exc.orig).lower()  # a schema mistake is not going away by itself
        return not any(word in said for word in ("no such table", "no such column", "syntax"))
    return False
