"""`drip doctor`'s database check: reachable, and at this drip's migration head, read-only.

Unlike `drip.store.Store`, nothing here writes: a SQLite file that is not there is reported,
not created, and no pragma is set. (It reads Alembic's own table the way `alembic current`
does; its home would be the store, next to `Store.upgrade`.)
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from drip import config, redact
from drip.service import problems
from drip.service.doctor_report import Check
from drip.store import base as store_base

CONNECT_TIMEOUT = 5  # seconds: a database that does not answer by then is reported as down
UPGRADE = "run `drip db upgrade` (before starting drip run and drip serve of this version)"


def check(cfg: config.Config) -> Check:
    shown = redact.url(cfg.database_url)
    try:
        url = sa.engine.make_url(cfg.database_url)
    except sa.exc.ArgumentError as exc:
        return _failed(exc)
    missing = _missing_sqlite_file(url)
    if missing:
        return Check.fail("database", f"{shown}: {missing}", "run `drip db upgrade`: it creates it")
    try:
        current, tables = _read(cfg.database_url, url)
    except (sa.exc.DBAPIError, sa.exc.ArgumentError, ModuleNotFoundError) as exc:
        return _failed(exc)
    return _level(shown, current, tables, _script())


def _failed(exc: BaseException) -> Check:
    problem = problems.explain(exc)
    if problem is None:
        raise exc
    return Check.fail("database", str(problem))


def _missing_sqlite_file(url: sa.URL) -> str:
    if url.get_backend_name() != "sqlite":
        return ""
    if not url.database or url.database == ":memory:":
        return "an in-memory database: each process would have its own, and keep nothing"
    if not Path(url.database).is_file():
        return f"no database file at {url.database}"
    return ""


def _read(raw: str, url: sa.URL) -> tuple[tuple[str, ...], list[str]]:
    """(the revisions the database is at, its tables), in one read-only connection."""
    sqlite = url.get_backend_name() == "sqlite"
    timeout = {"timeout": CONNECT_TIMEOUT} if sqlite else {"connect_timeout": CONNECT_TIMEOUT}
    engine = sa.create_engine(raw, connect_args=timeout, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
            return tuple(current), sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(store_base.alembic_config())


def _level(
    shown: str, current: tuple[str, ...], tables: list[str], script: ScriptDirectory
) -> Check:
    heads = tuple(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    head = ", ".join(heads)
    if set(current) == set(heads):
        return Check.ok("database", f"{shown}: reachable, at the migration head ({head})")
    if not current:
        found = "no drip tables yet" if not tables else "tables, but no drip migration record"
        advice = UPGRADE if not tables else "point DRIP_DATABASE_URL at drip's own database"
        return Check.fail("database", f"{shown}: {found}", advice)
    unknown = sorted(set(current) - known)
    if unknown:
        return Check.fail(
            "database",
            f"{shown}: at revision {unknown[0]}, which this drip does not know",
            "a newer drip migrated it: run that version (an older one must not use it)",
        )
    at = ", ".join(current)
    return Check.fail(
        "database", f"{shown}: at revision {at}; this drip's migrations end at {head}", UPGRADE
    )
