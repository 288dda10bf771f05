"""The housekeeping of `drip run` (and of each `drip tick`): the rate limits' closed windows are
purged, so that the keyed hashes of clients' addresses do not pile up in the database."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from daemon_harness import environment

from drip import clock, config
from drip import store as drip_store
from drip.service import operations
from drip.store import limits, models


def keys(db: drip_store.Store) -> list[str]:
    with db.engine.connect() as conn:
        return sorted(conn.execute(sa.select(models.RateLimitRow.key)).scalars())


def seed(db: drip_store.Store) -> tuple[str, str]:
    """A client's window opened two days ago, and one opened a minute ago."""
    now = clock.utcnow()
    old, fresh = db.client_key("198.51.100.1"), db.client_key("198.51.100.2")
    db.hit(old, now=now - limits.KEEP - timedelta(hours=1), window=timedelta(minutes=10), limit=9)
    db.hit(fresh, now=now - timedelta(minutes=1), window=timedelta(minutes=10), limit=9)
    return old, fresh


def test_the_daemons_housekeeping_purges_closed_rate_limit_windows(db, sink, database_url) -> None:
    old, fresh = seed(db)
    assert keys(db) == sorted([old, fresh])
    worker = operations.Worker(config.load(environment(database_url, sink.url)))
    try:
        worker.housekeeping()  # the job `drip run` schedules (test_daemon_sends.py)
    finally:
        worker.close()
    assert keys(db) == [fresh]


def test_a_tick_purges_them_too(db, sink, database_url) -> None:
    old, fresh = seed(db)
    assert keys(db) == sorted([old, fresh])
    operations.tick(config.load(environment(database_url, sink.url)))
    assert keys(db) == [fresh]
