"""Read-only reports: `drip status`, per-step results, a subscriber's event history."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from drip.store import base, models, outbox, rows, values

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

    def step_stats(self) -> list[values.StepStat]:
        """Per (sequence, step id): sends, failures, and unsubscribes right after it.

        An unsubscribe counts for the last email its subscriber was sent before it.
        """
        with self._read() as conn:
            counts: Sequence[Any] = conn.execute(
                sa.select(Ev.sequence, Ev.step_id, Ev.kind, sa.func.count())
                .where(Ev.kind.in_([EK.SENT, EK.FAILED]), Ev.sequence.is_not(None))
                .group_by(Ev.sequence, Ev.step_id, Ev.kind)
            ).all()
            left: Sequence[Any] = conn.execute(_unsubscribed_after()).all()
        table: dict[tuple[str, str], dict[str, int]] = {}
        for row in counts:
            table.setdefault((row[0], row[1]), {})[row[2].value] = row[3]
        for row in left:
            table.setdefault((row[0], row[1]), {})["unsubscribed"] = row[2]
        return [
            values.StepStat(
                sequence=sequence,
                step_id=step_id,
                sent=n.get("sent", 0),
                failed=n.get("failed", 0),
                unsubscribed_after=n.get("unsubscribed", 0),
            )
            for (sequence, step_id), n in sorted(table.items())
        ]

    def events_for(self, subscriber_id: int) -> list[values.Event]:
        """The subscriber's event log, oldest first."""
        with self._read() as conn:
            query = (
                sa.select(Ev.__table__)
                .where(Ev.subscriber_id == subscriber_id)
                .order_by(Ev.at, Ev.id)
            )
            return [rows.to_event(row) for row in conn.execute(query)]


def _count_by(
    conn: sa.Connection, column: sa.orm.InstrumentedAttribute[_E], kind: type[_E]
) -> dict[_E, int]:
    found = dict(conn.execute(sa.select(column, sa.func.count()).group_by(column)).all())
    return {member: found.get(member, 0) for member in kind}


def _unsubscribed_after() -> sa.Select[str | None, str | None, int]:
    unsub, sent = sa.orm.aliased(Ev), sa.orm.aliased(Ev)
    last_sent = (
        sa.select(sent.id)
        .where(
            sent.subscriber_id == unsub.subscriber_id,
            sent.kind == EK.SENT,
            sent.at <= unsub.at,
        )
        .order_by(sent.at.desc(), sent.id.desc())
        .limit(1)
        .correlate(unsub)
        .scalar_subquery()
    )
    return (
        sa.select(Ev.sequence, Ev.step_id, sa.func.count())
        .select_from(unsub)
        .join(Ev, Ev.id == last_sent)
        .where(unsub.kind == EK.UNSUBSCRIBED, unsub.subscriber_id.is_not(None))
        .group_by(Ev.sequence, Ev.step_id)
    )
