"""Read-only reports: `drip status`."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa

from drip.store import base, models, outbox, values

D, Sub, Ev = models.DeliveryRow, models.SubscriberRow, models.EventRow
_E = TypeVar("_E", bound=enum.Enum)
SS, DS, EK = values.SubscriberState, values.DeliveryState, values.EventKind


class ReportOps(base.StoreBase):
    def status(self, *, now: datetime) -> values.Status:
        """Counts by state (every state present, zero included), what is due, what is held."""
        with self._read() as conn:
            subscribers = _count_by(conn, Sub.state, SS)
            deliveries = _count_by(conn, D.state, DS)
            pending = (
                sa.select(sa.func.count(), sa.func.min(D.due_at))
                .join(Sub, Sub.id == D.subscriber_id)
                .where(D.state == DS.PENDING)
            )
            due_now = conn.execute(pending.where(D.due_at <= now, outbox.claimable())).one()[0]
            held = conn.execute(pending.where(Sub.state == SS.PAUSED)).one()[0]
            next_due = conn.execute(pending.where(outbox.claimable())).one()[1]
        return values.Status(
            subscribers=subscribers,
            deliveries=deliveries,
            due_now=due_now,
            held=held,
            next_due=next_due,
        )


def _count_by(
    conn: sa.Connection, column: sa.orm.InstrumentedAttribute[_E], kind: type[_E]
) -> dict[_E, int]:
    found = dict(conn.execute(sa.select(column, sa.func.count()).group_by(column)).all())
    return {member: found.get(member, 0) for member in kind}
