"""The dispatcher wired as `drip run` wires it, on a simulated clock, and a patient to send
to: what the dispatch, live-edit and `drip plan` tests share.

    ana = patient(app)                       # confirmed at T0, in London
    run(app, outbox, T0)                     # one tick at T0: the welcome
    app = edited(app, new_sequence)          # as drip run opens it after an edit
    send_until(app, outbox, 3)               # each step when due, until 3 were sent
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from drip import mailer, rendering, sequences, store
from drip.service import app as app_module
from drip.service import dispatch, operations, subscriptions

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday; 15:00 in London is in the window
CONSENT = subscriptions.Consent(source="test", text="yes")


V = dispatch.Verdict


def dispatcher(
    app: app_module.App, outbox: mailer.MemoryMailer, at: datetime, **changes: object
) -> dispatch.Dispatcher:
    wired = operations.dispatcher(app, outbox, now=lambda: at, simulated=True, owner="w1")
    return dataclasses.replace(wired, **changes)  # type: ignore[arg-type]


def run(app: app_module.App, outbox: mailer.MemoryMailer, at: datetime) -> dispatch.BatchResult:
    return dispatch.total(dispatcher(app, outbox, at).tick())


def patient(
    app: app_module.App, email: str = "ana@example.com", cause: str = "muscle-injury"
) -> store.Subscriber:
    return subscriptions.subscribe(
        app,
        email=email,
        first_name="Ana",
        cause=cause,
        timezone="Europe/London",
        consent=CONSENT,
        confirmed=True,
        now=T0,
    )


def edited(app: app_module.App, sequence: sequences.Sequence) -> app_module.App:
    """The app as `drip run` would open it after a marketer's edit of one sequence."""
    plan = dataclasses.replace(app.plan, sequences={**app.plan.sequences, sequence.cause: sequence})
    renderer = rendering.Renderer(plan=plan, article=app.article, templates=app.config.templates)
    return dataclasses.replace(app, plan=plan, renderer=renderer)


def muscle(app: app_module.App) -> sequences.Sequence:
    return app.plan.sequences["muscle-injury"]


def with_steps(sequence: sequences.Sequence, *steps: sequences.Step) -> sequences.Sequence:
    return dataclasses.replace(sequence, steps=steps)


def send_until(app: app_module.App, outbox: mailer.MemoryMailer, count: int) -> datetime:
    """Send each step when it comes due until `count` have gone out; the time of the last."""
    at = T0
    while len(outbox.sent) < count:
        due = app.store.status(now=at).next_due
        assert due is not None, "the sequence ended early"
        at = max(at, due)
        run(app, outbox, at)
    return at


def send_the_rest(app: app_module.App, outbox: mailer.MemoryMailer, at: datetime) -> datetime:
    while (due := app.store.status(now=at).next_due) is not None:
        at = max(at, due)
        run(app, outbox, at)
    return at
