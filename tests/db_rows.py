"""What the tests read from, and seed into, the database directly: the rows themselves.

Assertions read the tables (what left the process), not a convenience method of the store;
seeding uses the store's own transaction helpers for the states that no single public
operation produces (an enrollment started twice, a stopped one).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from drip import planning, store
from drip.store import models, outbox, rows

# The suppression key of every test database (DRIP_SUPPRESSION_KEY in the tests' settings).
SUPPRESSION_KEY = "test-suppression-key-0123456789abcdefghij"


def every_row(db: store.Store) -> dict[str, list[dict[str, object]]]:
    """Every row of every table, by table name (each table's rows in a stable order)."""
    found: dict[str, list[dict[str, object]]] = {}
    with db.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            rows_of = [dict(row._mapping) for row in conn.execute(sa.select(table))]
            found[table.name] = sorted(rows_of, key=repr)
    return found


def events(db: store.Store, subscriber_id: int) -> list[store.Event]:
    """The subscriber's event log, oldest first."""
    e = models.EventRow
    query = sa.select(e.__table__).where(e.subscriber_id == subscriber_id).order_by(e.at, e.id)
    with db.engine.connect() as conn:
        return [rows.to_event(row) for row in conn.execute(query)]


def sent_steps(db: store.Store, subscriber_id: int, sequence: str) -> frozenset[str]:
    """The step ids of `sequence` sent to the subscriber."""
    d = models.DeliveryRow
    query = sa.select(d.step_id).where(
        d.subscriber_id == subscriber_id,
        d.sequence == sequence,
        d.state == store.DeliveryState.SENT,
    )
    with db.engine.connect() as conn:
        return frozenset(conn.execute(query).scalars())


def is_suppressed(db: store.Store, email: str) -> bool:
    s = models.SuppressionRow
    query = sa.select(s.id).where(s.email_hash == store.AddressHash(SUPPRESSION_KEY).of(email))
    with db.engine.connect() as conn:
        return conn.execute(query).first() is not None


def enroll(
    db: store.Store,
    subscriber_id: int,
    *,
    now: datetime,
    step: str = "welcome",
    due: datetime | None = None,
    sequence: str = "muscle-injury",
) -> None:
    """Start (or restart) an enrollment and queue its first step, in one transaction."""
    first = planning.Planned(step_id=step, due_at=now if due is None else due)
    with db.engine.begin() as conn:
        outbox.start(conn, subscriber_id, store.Start(sequence=sequence, first=first), now=now)


def queue_confirmation(
    db: store.Store, subscriber_id: int, *, due: datetime, now: datetime
) -> None:
    with db.engine.begin() as conn:
        outbox.start(conn, subscriber_id, store.Start.confirmation(due), now=now)


def stop_enrollment(db: store.Store, subscriber_id: int, *, sequence: str, now: datetime) -> int:
    with db.engine.begin() as conn:
        return outbox.stop(conn, subscriber_id, sequence, now=now)


def suppress(
    db: store.Store, email: str, *, now: datetime, reason: store.SuppressionReason | None = None
) -> None:
    """Put the address on the suppression list and nothing else (the subscriber stays as they
    are): what a complaint recorded for the address, or a bounce of it elsewhere, leaves."""
    with db.engine.begin() as conn:
        rows.suppress(conn, db.hashes, email, reason or store.SuppressionReason.MANUAL, now=now)
