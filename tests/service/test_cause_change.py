"""on_cause_change in sequences.yaml: switch skips content already received, restart starts the
new sequence, ignore keeps the old one; nothing is sent twice either way."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime, timedelta

import db_rows
from drip import mailer, sequences, store
from drip.service import app as app_module
from drip.service import operations, subscriptions

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
OLD, NEW = "lumbar-disc-disease", "bone-encroachment"


def with_policy(app: app_module.App, policy: sequences.CauseChange) -> app_module.App:
    return dataclasses.replace(app, plan=dataclasses.replace(app.plan, on_cause_change=policy))


def _at(moment: datetime) -> datetime:
    return moment


def run_all(app: app_module.App, outbox: mailer.MemoryMailer, start: datetime) -> None:
    at = start
    while (due := app.store.status(now=at).next_due) is not None:
        at = max(at, due)
        operations.dispatcher(app, outbox, now=functools.partial(_at, at), simulated=True).tick()


def two_steps_then_change(app: app_module.App, outbox: mailer.MemoryMailer) -> store.Subscriber:
    """Welcome and the first tip of OLD, then the patient changes their answer."""
    sub = subscriptions.subscribe(
        app,
        email="ana@example.com",
        first_name="Ana",
        cause=OLD,
        timezone="Europe/London",
        consent=subscriptions.Consent(source="test", text="yes"),
        confirmed=True,
        now=T0,
    )
    steps = app.plan.sequences[OLD].steps
    for at in (T0, T0 + steps[1].after):
        operations.dispatcher(app, outbox, now=functools.partial(_at, at), simulated=True).tick()
    assert len(outbox.sent) == 2
    subscriptions.change_cause(app, sub.uid, NEW, now=T0 + timedelta(days=3))
    return sub


def content_sent(app: app_module.App, outbox: mailer.MemoryMailer) -> list[str]:
    subjects = {s.subject: s.content for seq in app.plan.sequences.values() for s in seq.steps}
    return [ref for m in outbox.sent for ref in subjects[str(m["Subject"])]]


def test_switch_moves_to_the_new_sequence_and_skips_what_was_received(app: app_module.App) -> None:
    app = with_policy(app, sequences.CauseChange.SWITCH)
    outbox = mailer.MemoryMailer()
    sub = two_steps_then_change(app, outbox)
    run_all(app, outbox, T0 + timedelta(days=3))
    refs = [r for r in content_sent(app, outbox) if "/treatments/" in r]
    assert len(refs) == len(set(refs)) == 5  # every treatment once, none twice
    assert db_rows.sent_steps(app.store, sub.id, OLD) == {
        "welcome",
        app.plan.sequences[OLD].steps[1].id,
    }
    first_tip = app.plan.sequences[OLD].steps[1].id
    assert first_tip not in db_rows.sent_steps(app.store, sub.id, NEW)
    assert "welcome" in db_rows.sent_steps(app.store, sub.id, NEW)  # it carries the new cause


def test_restart_sends_the_whole_new_sequence(app: app_module.App) -> None:
    app = with_policy(app, sequences.CauseChange.RESTART)
    outbox = mailer.MemoryMailer()
    sub = two_steps_then_change(app, outbox)
    run_all(app, outbox, T0 + timedelta(days=3))
    assert db_rows.sent_steps(app.store, sub.id, NEW) == {
        s.id for s in app.plan.sequences[NEW].steps
    }
    assert len(outbox.sent) == 2 + len(app.plan.sequences[NEW].steps)


def test_ignore_keeps_the_old_sequence(app: app_module.App) -> None:
    app = with_policy(app, sequences.CauseChange.IGNORE)
    outbox = mailer.MemoryMailer()
    sub = two_steps_then_change(app, outbox)
    run_all(app, outbox, T0 + timedelta(days=3))
    assert db_rows.sent_steps(app.store, sub.id, OLD) == {
        s.id for s in app.plan.sequences[OLD].steps
    }
    assert db_rows.sent_steps(app.store, sub.id, NEW) == frozenset()
    after = app.store.subscriber_by_uid(sub.uid)
    assert after is not None and after.cause == NEW


def test_the_event_log_never_says_which_cause(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    sub = two_steps_then_change(app, outbox)
    [event] = [
        e for e in db_rows.events(app.store, sub.id) if e.kind is store.EventKind.CAUSE_CHANGED
    ]
    assert event.detail is None and event.sequence is None
