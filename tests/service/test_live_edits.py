"""Editing sequences.yaml while patients are mid-sequence: planning's rule for edited sequences
(drip.planning, docs/live-edits.md), one test per kind of edit, through the real dispatcher and
store on SQLite and PostgreSQL. Each test sends a patient part of the way, edits the file (as
`drip run` would load it after a restart), sends the rest, and reads what was sent."""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import timedelta

from dispatch_world import (
    T0,
    V,
    edited,
    muscle,
    patient,
    run,
    send_the_rest,
    send_until,
    with_steps,
)

import db_rows
from drip import mailer, planning
from drip.service import app as app_module

LONDON = zoneinfo.ZoneInfo("Europe/London")


def step_ids(app: app_module.App, outbox: mailer.MemoryMailer) -> list[str]:
    """The steps in the order the patient received them, by the current file's ids, read from
    the subjects of what was sent."""
    by_subject = {s.subject: s.id for s in muscle(app).steps}
    return [by_subject[str(m["Subject"])] for m in outbox.sent]


def test_a_step_added_before_the_patients_position_is_sent_next(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    ana = patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 3)  # welcome, heat-and-ice, rest; medications is queued
    queued_due = app.store.status(now=at).next_due
    posture = dataclasses.replace(old.steps[1], id="posture", subject="New: posture")
    app = edited(app, with_steps(old, old.steps[0], posture, *old.steps[1:]))
    assert queued_due is not None
    result = run(app, outbox, queued_due)  # medications comes due: posture goes in its place
    assert (result.sent, result.count(V.SKIPPED)) == (1, 1)
    assert str(outbox.sent[-1]["Subject"]) == "New: posture"
    send_the_rest(app, outbox, queued_due)
    assert step_ids(app, outbox) == [
        "welcome", "heat-and-ice", "rest", "posture", "medications",
        "functional-disc-rehydration", "vertebroplasty-kyphoplasty", "closing",
    ]  # fmt: skip
    assert db_rows.sent_steps(app.store, ana.id, "muscle-injury") == {
        s.id for s in muscle(app).steps
    }


def test_a_step_added_after_the_position_comes_in_its_place(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 2)
    extra = dataclasses.replace(old.steps[4], id="sleep", subject="New: sleep")
    app = edited(app, with_steps(old, *old.steps[:5], extra, *old.steps[5:]))
    send_the_rest(app, outbox, at)
    assert step_ids(app, outbox)[4:7] == [
        "functional-disc-rehydration",
        "sleep",
        "vertebroplasty-kyphoplasty",
    ]


def test_a_removed_step_is_never_sent_and_the_next_follows_after_its_delay(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    ana = patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 1)  # welcome; heat-and-ice queued
    removed, following = old.steps[1], old.steps[2]
    app = edited(app, with_steps(old, *(s for s in old.steps if s.id != removed.id)))
    due = T0 + removed.after
    assert run(app, outbox, due).count(V.SKIPPED) == 1
    # the removed step's slot counts as a pause: the next delay runs from the skip
    following_due = planning.into_window(due + following.after, tz=LONDON, window=app.plan.window)
    assert app.store.status(now=due).next_due == following_due
    send_the_rest(app, outbox, at)
    assert removed.id not in step_ids(app, outbox)
    assert removed.id not in db_rows.sent_steps(app.store, ana.id, "muscle-injury")
    assert len(outbox.sent) == len(old.steps) - 1


def test_reordering_sends_the_remaining_steps_in_the_new_order(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 2)  # welcome, heat-and-ice; rest queued
    welcome, heat, rest, meds, disc, vert, closing = old.steps
    # the queued step (rest) moves to the end of the tips; one already sent (heat) moves too
    app = edited(app, with_steps(old, welcome, disc, meds, heat, vert, rest, closing))
    send_the_rest(app, outbox, at)
    assert step_ids(app, outbox) == [
        "welcome", "heat-and-ice",  # before the edit
        "functional-disc-rehydration", "medications", "vertebroplasty-kyphoplasty", "rest",
        "closing",
    ]  # fmt: skip


def test_a_changed_delay_applies_to_the_next_step_planned_not_the_queued_one(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 2)  # welcome, heat-and-ice; rest queued, due in 2 days
    queued_due = app.store.status(now=at).next_due
    slower = tuple(
        dataclasses.replace(s, after=timedelta(days=7)) if s.after else s for s in old.steps
    )
    app = edited(app, with_steps(old, *slower))
    assert queued_due is not None
    assert run(app, outbox, queued_due).sent == 1  # rest: at the time it was given
    next_due = app.store.status(now=queued_due).next_due
    assert next_due == planning.into_window(
        queued_due + timedelta(days=7), tz=LONDON, window=app.plan.window
    )  # medications: the new delay


def test_a_renamed_step_is_a_removed_one_and_an_added_one(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    old = muscle(app)
    at = send_until(app, outbox, 3)  # welcome, heat-and-ice, rest; medications queued
    renamed = {"heat-and-ice": "heat-ice", "medications": "pain-relief"}
    steps = tuple(dataclasses.replace(s, id=renamed.get(s.id, s.id)) for s in old.steps)
    app = edited(app, with_steps(old, *steps))
    send_the_rest(app, outbox, at)
    # The queued medications was skipped (removed); heat-ice, which they had as heat-and-ice,
    # comes again (added): what `drip check` warns about and `drip plan` counts.
    assert step_ids(app, outbox) == [
        "welcome", "heat-ice", "rest",  # before the edit, by their new ids
        "heat-ice", "pain-relief", "functional-disc-rehydration",
        "vertebroplasty-kyphoplasty", "closing",
    ]  # fmt: skip


def test_a_patient_who_finished_gets_nothing_from_a_step_added_later(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    old = muscle(app)
    at = send_the_rest(app, outbox, T0)
    assert len(outbox.sent) == len(old.steps)
    extra = dataclasses.replace(old.steps[1], id="posture", subject="New: posture")
    app = edited(app, with_steps(old, *old.steps, extra))
    assert app.store.status(now=at + timedelta(days=30)).next_due is None
    assert run(app, outbox, at + timedelta(days=30)).claimed == 0
