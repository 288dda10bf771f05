"""What drip holds about one patient, for staff: `drip lookup EMAIL` ("why did I get this?").

The subscriber (state, cause, consent), whether the address is suppressed, every delivery
with its time and outcome, and, with DRIP_TRACKING=on, when each was opened or clicked.
"""

from __future__ import annotations

import sqlalchemy as sa

from drip import contacts
from drip.store import base, models, rows, values

D, Sub, Ev, Hit = models.DeliveryRow, models.SubscriberRow, models.EventRow, models.TrackingHitRow


class HistoryOps(base.StoreBase):
    def history(self, email: str) -> values.History | None:
        """Everything about the subscriber with this address; None when there is none."""
        with self._read() as conn:
            found = conn.execute(
                sa.select(Sub.__table__).where(Sub.email_normalised == contacts.comparable(email))
            ).one_or_none()
            if found is None:
                return None
            subscriber = rows.to_subscriber(found)
            hits = _hits(conn, subscriber.id)
            deliveries = tuple(
                _record(row, hits.get(row.id, ()))
                for row in conn.execute(
                    sa.select(D.__table__).where(D.subscriber_id == subscriber.id)
                    .order_by(D.due_at, D.id)
                )
            )  # fmt: skip
            events = tuple(
                rows.to_event(row)
                for row in conn.execute(
                    sa.select(Ev.__table__).where(Ev.subscriber_id == subscriber.id)
                    .order_by(Ev.at, Ev.id)
                )
            )  # fmt: skip
            return values.History(
                subscriber=subscriber,
                suppressed=rows.suppression_reason(conn, self._hashes, subscriber.email),
                deliveries=deliveries,
                events=events,
            )

    def suppression(self, email: str) -> values.SuppressionReason | None:
        """Why this address is on the suppression list, or None (whether or not it subscribed)."""
        with self._read() as conn:
            return rows.suppression_reason(conn, self._hashes, email)


def _hits(conn: sa.Connection, subscriber_id: int) -> dict[int, tuple[values.Hit, ...]]:
    found: dict[int, list[values.Hit]] = {}
    query = (
        sa.select(Hit.delivery_id, Hit.kind, Hit.at)
        .join(D, D.id == Hit.delivery_id)
        .where(D.subscriber_id == subscriber_id)
        .order_by(Hit.at, Hit.id)
    )
    for delivery_id, kind, at in conn.execute(query):
        found.setdefault(delivery_id, []).append(values.Hit(kind=kind, at=at))
    return {key: tuple(hits) for key, hits in found.items()}


def _record(row: sa.Row[object], hits: tuple[values.Hit, ...]) -> values.DeliveryRecord:
    return values.DeliveryRecord(
        sequence=row.sequence,
        step_id=row.step_id,
        state=row.state,
        due_at=row.due_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
        last_error=row.last_error,
        bounced_at=row.bounced_at,
        hits=hits,
    )
