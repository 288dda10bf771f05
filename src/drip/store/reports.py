"""Read-only reports: `drip status`."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from drip.store import base, models, outbox, values

D, Sub, Ev, Enr = models.DeliveryRow, models.SubscriberRow, models.EventRow, models.EnrollmentRow
Hit = models.TrackingHitRow
_E = TypeVar("_E", bound=enum.Enum)
SS, DS, EK = values.SubscriberState, values.DeliveryState, values.EventKind


class ReportOps(base.StoreBase):
    def data_of(self, uid: str) -> dict[str, object]:
        """Everything drip holds about one subscriber, as plain JSON values: the answer to a
        patient's "download my data" (the web app) and to "why did I get this?" (staff)."""
        with self._read() as conn:
            row = conn.execute(sa.select(Sub.__table__).where(Sub.uid == uid)).one_or_none()
            if row is None:
                return {}
            return {
                "subscriber": _plain(row, _SUBSCRIBER_FIELDS),
                "enrollments": [
                    _plain(r, ("sequence", "state", "last_step_id", "started_at", "updated_at"))
                    for r in conn.execute(
                        sa.select(Enr.__table__).where(Enr.subscriber_id == row.id).order_by(Enr.id)
                    )
                ],
                "deliveries": [
                    _plain(r, ("sequence", "step_id", "state", "due_at", "sent_at", "attempts"))
                    for r in conn.execute(
                        sa.select(D.__table__).where(D.subscriber_id == row.id).order_by(D.id)
                    )
                ],
                "events": [
                    _plain(r, ("kind", "at", "sequence", "step_id"))
                    for r in conn.execute(
                        sa.select(Ev.__table__).where(Ev.subscriber_id == row.id).order_by(Ev.id)
                    )
                ],
                "opens_and_clicks": [  # only with DRIP_TRACKING=on
                    _plain(r, ("sequence", "step_id", "kind", "at"))
                    for r in conn.execute(
                        sa.select(D.sequence, D.step_id, Hit.kind, Hit.at)
                        .join(D, D.id == Hit.delivery_id)
                        .where(D.subscriber_id == row.id)
                        .order_by(Hit.id)
                    )
                ],
            }

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
            due_now, oldest_due = conn.execute(
                pending.where(D.due_at <= now, outbox.claimable())
            ).one()
            held = conn.execute(pending.where(Sub.state == SS.PAUSED)).one()[0]
            next_due = conn.execute(pending.where(outbox.claimable())).one()[1]
            expired = conn.execute(
                sa.select(sa.func.count()).where(D.state == DS.SENDING, D.lease_expires_at < now)
            ).scalar_one()
            reasons = _reasons(conn)
        return values.Status(
            subscribers=subscribers,
            deliveries=deliveries,
            due_now=due_now,
            held=held,
            next_due=next_due,
            oldest_due=oldest_due,
            leases_expired=expired,
            reasons=reasons,
        )


def _reasons(conn: sa.Connection, *, top: int = 5) -> tuple[values.Reason, ...]:
    """The commonest reasons of failed deliveries, of those waiting to be tried again, and of
    those moved to a later time without an attempt (the stale-step guard)."""
    found: list[values.Reason] = []
    for kind, where in (
        ("failed", D.state == DS.FAILED),
        ("retrying", sa.and_(D.state == DS.PENDING, D.attempts > 0)),
        ("moved", sa.and_(D.state == DS.PENDING, D.attempts == 0)),  # the stale-step guard
    ):
        rows = conn.execute(
            sa.select(D.last_error, sa.func.count().label("n"))
            .where(where, D.last_error.is_not(None))
            .group_by(D.last_error)
            .order_by(sa.desc("n"), D.last_error)
            .limit(top)
        ).all()
        found += [values.Reason(kind=kind, reason=str(row[0]), count=row[1]) for row in rows]
    return tuple(found)


_SUBSCRIBER_FIELDS = (
    "email", "first_name", "cause", "timezone", "state", "created_at", "confirmed_at",
    "consent_at", "consent_source", "consent_text", "consent_version", "consent_ip",
    "confirmed_ip", "updated_at",
)  # fmt: skip


def _plain(row: Any, fields: tuple[str, ...]) -> dict[str, object]:
    """`fields` of `row` as JSON values: enums by value, datetimes in ISO 8601."""
    out: dict[str, object] = {}
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


def _count_by(
    conn: sa.Connection, column: sa.orm.InstrumentedAttribute[_E], kind: type[_E]
) -> dict[_E, int]:
    found = dict(conn.execute(sa.select(column, sa.func.count()).group_by(column)).all())
    return {member: found.get(member, 0) for member in kind}
