"""Where every patient stands in their sequences: what `drip plan` compares sequences.yaml with.

A position is what the planner needs to say what a patient gets next: the steps they were sent
(in every sequence, since a cause change can cover a step with content sent elsewhere), the
step queued for them in this sequence, and whether they are paused. Patients who stand in the
same place are counted together, so the answer stays small for a large list.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from drip import sequences
from drip.store import base, models, values

D, Sub, Enr = models.DeliveryRow, models.SubscriberRow, models.EnrollmentRow
SS, DS = values.SubscriberState, values.DeliveryState
_IN = (SS.ACTIVE, SS.PAUSED)  # patients a sequence still sends to (paused: once they resume)
_BATCH = 10_000


class PositionOps(base.StoreBase):
    def positions(self) -> list[values.Position]:
        """Every position held by a patient enrolled (active) in a sequence, with how many
        patients hold it; by sequence, then by count (most first)."""
        with self._read() as conn:
            enrolled = {
                (row.subscriber_id, row.sequence): row.state is SS.PAUSED
                for row in conn.execute(
                    sa.select(Enr.subscriber_id, Enr.sequence, Sub.state)
                    .join(Sub, Sub.id == Enr.subscriber_id)
                    .where(Enr.state == values.EnrollmentState.ACTIVE, Sub.state.in_(_IN))
                )
            }
            sent: defaultdict[int, set[tuple[str, str]]] = defaultdict(set)
            queued: dict[tuple[int, str], str] = {}
            found = conn.execution_options(yield_per=_BATCH).execute(
                sa.select(D.subscriber_id, D.sequence, D.step_id, D.state)
                .join(Sub, Sub.id == D.subscriber_id)
                .where(
                    Sub.state.in_(_IN),
                    D.sequence != sequences.CONFIRM_SEQUENCE,
                    D.state.in_((DS.SENT, DS.PENDING, DS.SENDING)),
                )
            )
            for row in found:
                if row.state is DS.SENT:
                    sent[row.subscriber_id].add((row.sequence, row.step_id))
                else:
                    queued[(row.subscriber_id, row.sequence)] = row.step_id
        counted: Counter[values.Position] = Counter()
        for (who, sequence), paused in enrolled.items():
            counted[
                values.Position(
                    sequence=sequence,
                    sent=frozenset(sent.get(who, ())),
                    queued=queued.get((who, sequence)),
                    paused=paused,
                )
            ] += 1
        return [
            values.Position(
                sequence=p.sequence, sent=p.sent, queued=p.queued, paused=p.paused, count=n
            )
            for p, n in sorted(counted.items(), key=lambda item: (item[0].sequence, -item[1]))
        ]
