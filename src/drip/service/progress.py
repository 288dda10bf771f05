"""Where a subscriber stands in a sequence: the step ids that count as done.

Done means sent; and, when sequences.yaml says `on_cause_change: switch`, also the steps whose
content the subscriber already received in another cause's sequence. Both the enrollment and the
dispatcher plan from this, so a switch never repeats content, then or later.
"""

from __future__ import annotations

from drip import planning, sequences, store
from drip.service.app import App


def done(app: App, subscriber_id: int, sequence: sequences.Sequence) -> frozenset[str]:
    sent = app.store.sent_steps(subscriber_id)
    here = frozenset(step for seq, step in sent if seq == sequence.cause)
    if app.plan.on_cause_change is not sequences.CauseChange.SWITCH:
        return here
    return here | planning.covered(sequence, _received_elsewhere(app.plan, sent, sequence.cause))


def _received_elsewhere(
    plan: sequences.Plan, sent: frozenset[tuple[str, str]], current: str
) -> frozenset[str]:
    received: set[str] = set()
    for cause, step_id in sent:
        other = plan.sequence(cause) if cause not in (current, store.CONFIRM_SEQUENCE) else None
        step = other.step(step_id) if other else None
        if step is not None:
            received.update(step.content)
    return frozenset(received)
