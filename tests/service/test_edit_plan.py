"""`drip plan`'s report (drip.service.edit_plan) on the real store, SQLite and PostgreSQL:
each change counted, and what it says each patient gets next is what the dispatcher then
sends them."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from dispatch_world import T0, edited, muscle, patient, run, send_until, with_steps

from drip import mailer, sequences, store
from drip.service import app as app_module
from drip.service import edit_plan


def report(app: app_module.App, new: sequences.Sequence) -> edit_plan.EditPlan:
    plan = edited(app, new).plan
    return edit_plan.build(
        positions=app.store.positions(), plan=plan, before=app.plan, against="a test"
    )


def in_muscle(found: edit_plan.EditPlan) -> edit_plan.SequencePlan:
    return next(s for s in found.sequences if s.cause == "muscle-injury")


def test_each_change_is_counted_and_the_next_steps_are_what_dispatch_sends(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    for n in range(5):
        patient(app, email=f"p{n}@example.com")
    at = send_until(app, outbox, 10)  # welcome and heat-and-ice to each; rest queued
    old = muscle(app)
    welcome, heat, rest, meds, disc, _vert, closing = old.steps
    posture = dataclasses.replace(heat, id="posture", subject="New: posture")
    slower = dataclasses.replace(disc, after=timedelta(days=5))
    new = with_steps(old, welcome, posture, heat, meds, rest, slower, closing)  # vert removed
    found = in_muscle(report(app, new))
    assert (found.patients, found.paused) == (5, 0)
    changes = {c.text: (c.patients, c.effect) for c in found.changes}
    assert changes == {
        "added step posture": (5, "will get it (5 next, in place of the step queued)"),
        "removed step vertebroplasty-kyphoplasty": (5, "will not get it"),
        "moved step rest": (5, "will get it in its new place"),
        "delay of functional-disc-rehydration changed 2d → 5d": (
            5,
            "get the new delay when it is planned",
        ),
    }
    assert [(n.step, n.patients, n.instead_of) for n in found.next] == [("posture", 5, "rest")]
    assert report(app, new).affected == 5
    # What the report predicts is what the dispatcher does with the edited file:
    app = edited(app, new)
    due = app.store.status(now=at).next_due
    assert due is not None
    result = run(app, outbox, due)
    assert result.sent == 5
    assert [str(m["Subject"]) for m in outbox.sent[-5:]] == ["New: posture"] * 5


def test_a_renamed_step_counts_who_will_get_it_again(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    for n in range(4):
        patient(app, email=f"p{n}@example.com")
    send_until(app, outbox, 8)  # welcome and heat-and-ice to each; rest queued
    old = muscle(app)
    renamed = with_steps(
        old, *(dataclasses.replace(s, id="heat-ice") if s.id == "heat-and-ice" else s
               for s in old.steps)
    )  # fmt: skip
    found = in_muscle(report(app, renamed))
    assert [(c.text, c.patients) for c in found.changes] == [
        ("renamed step heat-and-ice → heat-ice", 4)
    ]
    assert [(n.step, n.patients, n.instead_of) for n in found.next] == [("heat-ice", 4, "rest")]


def test_paused_patients_are_counted_and_nothing_changes_without_an_edit(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    ana = patient(app)
    patient(app, email="ben@example.com")
    send_until(app, outbox, 2)
    app.store.set_state(ana.uid, store.SubscriberState.PAUSED, now=T0)
    found = in_muscle(report(app, muscle(app)))
    assert (found.patients, found.paused, found.changes) == (2, 1, ())
    assert [(n.step, n.patients, n.instead_of) for n in found.next] == [("heat-and-ice", 2, None)]
    shown = json.loads(edit_plan.format_json(report(app, muscle(app))))
    assert shown["affected"] == 0
    text = edit_plan.format_human(report(app, muscle(app)))
    assert "muscle-injury: 2 patients in it (1 paused)" in text
    assert "ana@example.com" not in text and "Ana" not in text


def test_a_step_queued_but_gone_from_the_file_is_told_without_a_committed_version(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    send_until(app, outbox, 1)  # heat-and-ice queued
    old = muscle(app)
    new = with_steps(old, *(s for s in old.steps if s.id != "heat-and-ice"))
    plan = edited(app, new).plan
    found = edit_plan.build(positions=app.store.positions(), plan=plan, before=None)
    changes = [(c.text, c.patients) for c in in_muscle(found).changes]
    assert changes == [("step heat-and-ice is queued but no longer in sequences.yaml", 1)]
    assert [(n.step, n.instead_of) for n in in_muscle(found).next] == [("rest", "heat-and-ice")]


def test_a_sequence_removed_from_the_file_ends_for_the_patients_in_it(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    send_until(app, outbox, 1)
    rest = {c: s for c, s in app.plan.sequences.items() if c != "muscle-injury"}
    plan = dataclasses.replace(app.plan, sequences=rest)
    found = edit_plan.build(positions=app.store.positions(), plan=plan, before=app.plan)
    gone = next(s for s in found.sequences if s.cause == "muscle-injury")
    assert [(c.text, c.patients) for c in gone.changes] == [
        ("sequence removed from sequences.yaml", 1)
    ]
    assert [(n.step, n.patients) for n in gone.next] == [(edit_plan.END, 1)]
    assert "muscle-injury: 1 patient in it" in edit_plan.format_human(found)
