"""How each step did, counted in the database: `drip stats`. Counts only, never a patient.

Per (sequence, step id): deliveries sent, failed, bounced (failed because the mailbox does not
exist), suppressed (not sent: the patient had left or the address is suppressed); patients who
unsubscribed after this step (it was the last one they were sent before unsubscribing); and,
with DRIP_TRACKING=on, the deliveries opened and clicked at least once.
"""

from __future__ import annotations

import sqlalchemy as sa

from drip.store import base, models, values

D, Ev, Hit = models.DeliveryRow, models.EventRow, models.TrackingHitRow
DS = values.DeliveryState
_Key = tuple[str, str]


class ResultsOps(base.StoreBase):
    def step_results(self) -> list[values.StepResult]:
        """Every (sequence, step id) with a delivery, oldest first, with its counts."""
        with self._read() as conn:
            counts: dict[_Key, dict[str, int]] = {}
            for key, field, n in _by_state(conn) + _unsubscribed(conn) + _tracked(conn):
                counts.setdefault(key, {})[field] = counts.get(key, {}).get(field, 0) + n
            order = conn.execute(
                sa.select(D.sequence, D.step_id).group_by(D.sequence, D.step_id)
                .order_by(sa.func.min(D.id))
            ).all()  # fmt: skip
        return [
            values.StepResult(
                sequence=sequence, step_id=step_id, **counts.get((sequence, step_id), {})
            )
            for sequence, step_id in order
        ]


def _by_state(conn: sa.Connection) -> list[tuple[_Key, str, int]]:
    bounced = D.bounced_at.is_not(None)
    rows = conn.execute(
        sa.select(D.sequence, D.step_id, D.state, bounced.label("bounced"), sa.func.count())
        .group_by(D.sequence, D.step_id, D.state, bounced)
    ).all()  # fmt: skip
    fields = {DS.SENT: "sent", DS.FAILED: "failed", DS.SUPPRESSED: "suppressed"}
    found = []
    for sequence, step_id, state, was_bounced, n in rows:
        field = "bounced" if state is DS.FAILED and was_bounced else fields.get(state)
        if field is not None:
            found.append(((sequence, step_id), field, n))
    return found


def _unsubscribed(conn: sa.Connection) -> list[tuple[_Key, str, int]]:
    """Each unsubscribe, counted at the last step its patient was sent before it."""
    last_sent = (
        sa.select(D.id)
        .where(D.subscriber_id == Ev.subscriber_id, D.state == DS.SENT, D.sent_at <= Ev.at)
        .order_by(D.sent_at.desc(), D.id.desc())
        .limit(1)
        .correlate(Ev)
        .scalar_subquery()
    )
    rows = conn.execute(
        sa.select(D.sequence, D.step_id, sa.func.count())
        .select_from(Ev)
        .join(D, D.id == last_sent)
        .where(Ev.kind == values.EventKind.UNSUBSCRIBED)
        .group_by(D.sequence, D.step_id)
    ).all()
    return [((sequence, step_id), "unsubscribed", n) for sequence, step_id, n in rows]


def _tracked(conn: sa.Connection) -> list[tuple[_Key, str, int]]:
    """Deliveries opened, and clicked, at least once (a click is an open too)."""
    found: list[tuple[_Key, str, int]] = []
    for field, kinds in (
        ("opened", (values.TrackingKind.OPENED, values.TrackingKind.CLICKED)),
        ("clicked", (values.TrackingKind.CLICKED,)),
    ):
        rows = conn.execute(
            sa.select(D.sequence, D.step_id, sa.func.count(sa.distinct(Hit.delivery_id)))
            .join(D, D.id == Hit.delivery_id)
            .where(Hit.kind.in_(kinds))
            .group_by(D.sequence, D.step_id)
        ).all()
        found += [((sequence, step_id), field, n) for sequence, step_id, n in rows]
    return found
