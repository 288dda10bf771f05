"""The Store: drip's one persistence port, as intention-named operations.

    store = Store("sqlite:///drip.db")     # or postgresql+psycopg://… (see drip.config)
    store.upgrade()                        # migrations to head
    subscriber = store.add_subscriber(email=…, consent=…, now=now, confirmed=False)
    claims = store.claim_due(now=now, limit=100, owner="host:1234", lease_seconds=300)

Every operation is one short transaction; nothing returned holds a connection. Operations
that depend on time take `now`: the store never reads the clock. The database enforces
uniqueness and concurrency (unique keys, leases, `SKIP LOCKED`), not Python locks.
"""

from __future__ import annotations

from drip.store import (
    controls,
    history,
    imports,
    limits,
    outbox,
    outcomes,
    positions,
    reports,
    results,
    subscribers,
    tracking,
)


class Store(
    subscribers.SubscriberOps,
    outbox.OutboxOps,
    outcomes.OutcomeOps,
    positions.PositionOps,
    reports.ReportOps,
    limits.LimitOps,
    controls.ControlOps,
    results.ResultsOps,
    history.HistoryOps,
    imports.ImportOps,
    tracking.TrackingOps,
):
    """Subscribers, the deliveries outbox, outcomes, reports, rate limits, the sending pause,
    each step's results, where patients stand in their sequences, a patient's history and
    (DRIP_TRACKING=on) opens and clicks, on SQLite or PostgreSQL."""
