"""Migrations: they build the schema the models describe, and running them again is a no-op."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from drip import store as drip_store
from drip.store import models

TABLES = {
    "alembic_version", "subscribers", "enrollments", "deliveries", "events", "suppressions",
    "rate_limits", "pauses", "tracked_links", "tracking_hits",
}  # fmt: skip


def test_upgrade_on_an_empty_database_then_again_is_a_no_op(database_url) -> None:
    db = drip_store.Store(database_url)
    try:
        db.upgrade()
        first = _snapshot(db)
        db.upgrade()
        assert _snapshot(db) == first
        assert set(first) == TABLES
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
                ("0005",)
            ]
    finally:
        db.dispose()


def test_migrations_match_the_models(store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, models.Base.metadata) == []


def _snapshot(db: drip_store.Store) -> dict[str, list[str]]:
    inspector = sa.inspect(db.engine)
    return {
        table: sorted(column["name"] for column in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }
