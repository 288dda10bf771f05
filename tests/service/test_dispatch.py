"""The dispatcher through the real store, on SQLite and PostgreSQL, with the in-memory mailer:
re-check at send time, the rules table applied (retry, bounce, pause, fail), edited sequences,
render once. (The same decisions on the in-memory outbox, fast: test_dispatch_decisions.py.)"""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from dispatch_world import CONSENT, T0, V, dispatcher, patient, run

import db_rows
from drip import delivery, errors, mailer, sequences, store
from drip.service import app as app_module
from drip.service import dispatch, subscriptions
from drip.store import models


def failure(code: int, enhanced: str) -> errors.SendError:
    return errors.SendError(f"{code} {enhanced} refused", code=code, enhanced=enhanced)


def test_sends_the_welcome_and_queues_the_next_step(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    subscriber = patient(app)
    result = run(app, outbox, T0)
    assert (result.sent, result.count(V.FAILED), result.count(V.RETRIED)) == (1, 0, 0)
    assert str(outbox.sent[0]["Subject"]) == app.plan.sequences["muscle-injury"].steps[0].subject
    assert db_rows.sent_steps(app.store, subscriber.id, "muscle-injury") == {"welcome"}
    second = app.plan.sequences["muscle-injury"].steps[1]
    assert app.store.status(now=T0).next_due == T0 + second.after


def test_unsubscribed_between_claim_and_send_gets_nothing(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    subscriber = patient(app)
    [claim] = app.store.claim_due(now=T0, limit=10, owner="w1", lease_seconds=60)
    app.store.set_state(subscriber.uid, store.SubscriberState.UNSUBSCRIBED, now=T0)
    assert dispatcher(app, outbox, T0)._deliver(claim) is V.SUPPRESSED
    assert outbox.sent == []


def test_paused_between_claim_and_send_waits_and_is_sent_after_resuming(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    ana = patient(app)
    [claim] = app.store.claim_due(now=T0, limit=10, owner="w1", lease_seconds=60)
    app.store.set_state(ana.uid, store.SubscriberState.PAUSED, now=T0)  # mid-send
    assert dispatcher(app, outbox, T0)._deliver(claim) is V.DEFERRED
    assert outbox.sent == []
    assert deliveries(app) == [("welcome", "pending", 0)]  # waiting, not lost
    assert run(app, outbox, T0 + timedelta(hours=1)).claimed == 0  # not while paused
    app.store.set_state(ana.uid, store.SubscriberState.ACTIVE, now=T0)
    assert run(app, outbox, T0 + timedelta(hours=1)).sent == 1


def test_temporary_failure_retries_with_backoff_then_sends_once(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    outbox.fail_next(2, failure(451, "4.3.0"))
    assert run(app, outbox, T0).count(V.RETRIED) == 1
    first_retry = app.store.status(now=T0).next_due
    assert first_retry is not None and first_retry > T0
    assert run(app, outbox, first_retry).count(V.RETRIED) == 1
    second_retry = app.store.status(now=first_retry).next_due
    assert second_retry is not None and second_retry - first_retry > first_retry - T0
    assert run(app, outbox, second_retry).sent == 1
    assert len(outbox.sent) == 1


def test_connection_errors_past_max_attempts_end_as_failed_with_the_reason(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    subscriber = patient(app)
    outbox.fail_next(delivery.MAX_ATTEMPTS, errors.SendError("connection refused"))
    at, attempts = T0, 0
    while (due := app.store.status(now=at).next_due) is not None:
        at = due
        result = run(app, outbox, at)  # a retry due outside the send window waits for it
        attempts += result.count(V.RETRIED) + result.count(V.FAILED)
    assert attempts == delivery.MAX_ATTEMPTS
    status = app.store.status(now=at)
    assert status.deliveries[store.DeliveryState.FAILED] == 1
    assert outbox.sent == []
    [failed] = [
        e for e in db_rows.events(app.store, subscriber.id) if e.kind is store.EventKind.FAILED
    ]
    assert failed.detail == "connection refused"


def test_bad_mailbox_suppresses_the_address(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    subscriber = patient(app)
    outbox.fail_next(1, failure(550, "5.1.1"))
    assert run(app, outbox, T0).count(V.BOUNCED) == 1
    assert db_rows.is_suppressed(app.store, "ana@example.com")
    after = app.store.subscriber_by_uid(subscriber.uid)
    assert after is not None and after.state is store.SubscriberState.BOUNCED


def test_policy_refusal_pauses_without_suppressing(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app, "ana@example.com")
    patient(app, "ben@example.com")
    outbox.fail_next(1, failure(550, "5.7.1"))
    result = run(app, outbox, T0)
    assert result.paused and result.sent == 0
    assert not db_rows.is_suppressed(app.store, "ana@example.com")
    assert not db_rows.is_suppressed(app.store, "ben@example.com")
    status = app.store.status(now=T0)
    assert status.deliveries[store.DeliveryState.SENDING] == 0  # the batch's other claim released
    assert status.deliveries[store.DeliveryState.PENDING] == 2


def test_a_step_is_rendered_once_for_many_patients(
    app: app_module.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mjml

    calls: list[str] = []
    real = mjml.mjml2html

    def counting(source: str, *args: Any, **kwargs: Any) -> str:
        calls.append(source)
        return str(real(source, *args, **kwargs))

    monkeypatch.setattr(mjml, "mjml2html", counting)
    for n in range(5):
        patient(app, f"p{n}@example.com")
    assert run(app, mailer.MemoryMailer(), T0).sent == 5
    assert len(calls) == 1


def test_the_cause_never_reaches_a_header(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    for cause in app.plan.causes:
        patient(app, f"{cause.slug}@x.example", cause.slug)
    run(app, outbox, T0)
    words = {c.slug for c in app.plan.causes} | {c.label for c in app.plan.causes}
    for message in outbox.sent:
        for name, value in message.items():
            if name.lower() == "to":
                continue  # the test's own addresses are named after the causes
            assert not any(w.lower() in str(value).lower() for w in words), (name, value)


def test_pending_subscribers_get_the_confirmation_only(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    subscriptions.subscribe(
        app,
        email="p@example.com",
        first_name="P",
        cause="muscle-injury",
        timezone=None,
        consent=CONSENT,
        confirmed=False,
        now=T0,
    )
    run(app, outbox, T0)
    run(app, outbox, T0 + timedelta(days=30))
    [confirmation] = outbox.sent
    assert str(confirmation["Subject"]) == app.plan.confirmation_subject
    assert [(seq, step) for seq, step, _ in deliveries_by_sequence(app)] == [
        (sequences.CONFIRM_SEQUENCE, sequences.CONFIRM_STEP)
    ]  # and no step was even queued


def test_a_message_that_cannot_be_built_fails_with_its_reason_and_the_batch_goes_on(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    broken = patient(app, "ana@example.com")
    patient(app, "ben@example.com")
    with app.store.engine.begin() as conn:  # an address stored before validation was strict
        conn.execute(
            sa.update(models.SubscriberRow)
            .where(models.SubscriberRow.id == broken.id)
            .values(email="ana@exa mple.com")
        )
    result = run(app, outbox, T0)
    assert (result.sent, result.count(V.FAILED)) == (1, 1)
    [failed] = [e for e in db_rows.events(app.store, broken.id) if e.kind is store.EventKind.FAILED]
    assert failed.detail is not None
    assert failed.detail == (  # the reason, never the address
        "the recipient's address cannot be mailed: "
        "The part after the @-sign contains invalid characters: SPACE"
    )
    assert [m["To"].addresses[0].addr_spec for m in outbox.sent] == ["ben@example.com"]


def test_a_step_due_while_drip_was_down_waits_for_the_send_window(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)  # welcome due at T0, Tuesday 15:00 in London
    night = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # drip was down until now: 12 h late
    result = run(app, outbox, night)
    assert (result.sent, result.count(V.DEFERRED)) == (0, 1)
    assert outbox.sent == []
    morning = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # the window opens, London time
    assert app.store.status(now=night).next_due == morning
    assert run(app, outbox, morning).sent == 1


def test_a_step_found_days_late_is_moved_into_the_next_window_with_its_reason(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    patients = [patient(app, email=f"p{n}@example.com") for n in range(40)]
    saturday_night = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 3 days 12 h late
    result = run(app, outbox, saturday_night)
    assert (result.sent, result.count(V.DEFERRED), outbox.sent) == (0, 40, [])
    d = models.DeliveryRow
    with app.store.engine.connect() as conn:
        rows = conn.execute(sa.select(d.due_at, d.last_error, d.state)).all()
    london = zoneinfo.ZoneInfo("Europe/London")
    moved = [row.due_at for row in rows]
    assert {m.astimezone(london).date().isoformat() for m in moved} == {"2026-12-07"}  # Monday
    assert all(9 <= m.astimezone(london).hour < 18 for m in moved)  # inside its window
    assert len({m.astimezone(london).hour for m in moved}) >= 5  # spread, not one burst
    assert {row.last_error for row in rows} == {
        "found more than 1d past its time: moved into the send window"
    }
    assert {row.state.value for row in rows} == {"pending"}
    [shown] = app.store.status(now=saturday_night).reasons  # what drip status prints
    assert (shown.kind, shown.count) == ("moved", 40)
    monday_evening = datetime(2026, 12, 7, 17, 59, tzinfo=UTC)
    assert run(app, outbox, monday_evening).sent == len(patients)  # each sent once, on Monday


def test_a_stale_step_found_inside_the_window_goes_out_later_that_day(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    thursday_morning = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 1 day 19 h late, window open
    assert run(app, outbox, thursday_morning).count(V.DEFERRED) == 1
    due = app.store.status(now=thursday_morning).next_due
    assert due is not None and thursday_morning <= due < datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def test_stale_after_0_turns_the_guard_off(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    thursday_morning = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    off = dataclasses.replace(app, config=dataclasses.replace(app.config, stale_after=timedelta(0)))
    assert dispatch.total(dispatcher(off, outbox, thursday_morning).tick()).sent == 1


def deliveries_by_sequence(app: app_module.App) -> list[tuple[str, str, str]]:
    d = models.DeliveryRow
    with app.store.engine.connect() as conn:
        query = sa.select(d.sequence, d.step_id, d.state).order_by(d.id)
        return [(row.sequence, row.step_id, row.state.value) for row in conn.execute(query)]


def deliveries(app: app_module.App) -> list[tuple[str, str, int]]:
    d = models.DeliveryRow
    with app.store.engine.connect() as conn:
        query = sa.select(d.step_id, d.state, d.attempts).order_by(d.id)
        return [(row.step_id, row.state.value, row.attempts) for row in conn.execute(query)]


def test_a_retry_put_back_after_an_unsubscribe_ends_suppressed(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    ana = patient(app)
    [claim] = app.store.claim_due(now=T0, limit=5, owner="w1", lease_seconds=60)
    app.store.set_state(ana.uid, store.SubscriberState.UNSUBSCRIBED, now=T0)  # mid-send
    app.store.mark_retry(
        claim.delivery_id, owner="w1", now=T0, error="451", retry_at=T0 + timedelta(minutes=1)
    )
    result = run(app, outbox, T0 + timedelta(minutes=1))
    assert (result.count(V.SUPPRESSED), outbox.sent) == (1, [])
    assert deliveries(app) == [("welcome", "suppressed", 1)]  # not pending forever


def test_a_server_that_does_not_answer_stops_the_batch_and_hands_the_rest_back(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    for n in range(5):
        patient(app, f"p{n}@example.com")
    outbox.fail_next(dispatch.UNANSWERED_IN_A_ROW, errors.SendError("connection refused"))
    result = run(app, outbox, T0)
    assert (result.count(V.RETRIED), result.sent, result.halt) == (3, 0, dispatch.Halt.SERVER_DOWN)
    assert (
        sorted(deliveries(app)) == [("welcome", "pending", 0)] * 2 + [("welcome", "pending", 1)] * 3
    )


def test_a_batch_hands_back_what_it_cannot_send_within_half_its_lease(
    app: app_module.App,
) -> None:
    outbox = mailer.MemoryMailer()
    for n in range(4):
        patient(app, f"p{n}@example.com")
    ticks = iter([0.0, 1.0, 2.0, 200.0, 201.0])  # lease 300 s: the third check is past 150 s
    result = dispatcher(app, outbox, T0, monotonic=lambda: next(ticks)).batch()
    assert (result.sent, result.released) == (2, 2)
    welcomes = sorted(state for step, state, _ in deliveries(app) if step == "welcome")
    assert welcomes == ["pending", "pending", "sent", "sent"]


def test_leases_run_on_the_real_clock_when_time_is_simulated(app: app_module.App) -> None:
    patient(app)
    real = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    leases = []

    class Watching(mailer.MemoryMailer):
        def send(self, message: object) -> None:
            with app.store.engine.connect() as conn:
                leases.append(conn.execute(sa.select(models.DeliveryRow.lease_expires_at)).scalar())
            super().send(message)  # type: ignore[arg-type]

    assert dispatcher(app, Watching(), T0, lease_clock=lambda: real).batch().sent == 1
    assert leases == [real + timedelta(seconds=app.config.lease_seconds)]


def test_a_policy_refusal_counts_no_attempt(app: app_module.App) -> None:
    outbox = mailer.MemoryMailer()
    patient(app)
    outbox.fail_next(1, failure(535, "5.7.8"))
    result = run(app, outbox, T0)
    assert result.paused
    assert deliveries(app) == [("welcome", "pending", 0)]
    assert app.store.status(now=T0).next_due == T0 + dispatch.PAUSE_FOR


def test_first_step_at_once_is_sent_at_night_and_the_next_waits_for_the_window(
    app: app_module.App,
) -> None:
    window = dataclasses.replace(app.plan.window, first_step_at_once=True)
    app = dataclasses.replace(app, plan=dataclasses.replace(app.plan, window=window))
    outbox = mailer.MemoryMailer()
    saturday_night = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    subscriptions.subscribe(
        app,
        email="ana@example.com",
        first_name="Ana",
        cause="muscle-injury",
        timezone="Europe/London",
        consent=CONSENT,
        confirmed=True,
        now=saturday_night,
    )
    assert run(app, outbox, saturday_night).sent == 1
    assert app.store.status(now=saturday_night).next_due == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
