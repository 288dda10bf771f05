"""The dispatcher's decisions, fast, on the in-memory outbox: one verdict per claimed delivery
(sent, retried, failed, bounced, suppressed, skipped, deferred, paused, lease lost), and the
batch halting on stop, a policy pause, a server that does not answer, a lease running out."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import memory_world
import pytest
from memory_world import T0, Fixture, committed

from drip import delivery, errors, mailer, planning, rendering, sequences, store
from drip.service import dispatch

V, H, DS = dispatch.Verdict, dispatch.Halt, store.DeliveryState


@pytest.fixture
def world() -> Fixture:
    return memory_world.make()


def refused(code: int | None, enhanced: str | None = None) -> errors.SendError:
    return errors.SendError(f"{code} {enhanced} no <ana@example.com>", code=code, enhanced=enhanced)


def test_a_sent_step_queues_the_next_after_its_delay(world: Fixture) -> None:
    world.patient()
    result = world.batch()
    assert (result.claimed, result.sent) == (1, 1)
    plan, _ = committed()
    second = plan.sequences["muscle-injury"].steps[1]
    assert world.rows() == [("welcome", DS.SENT, 0), (second.id, DS.PENDING, 0)]
    assert world.outbox.deliveries()[1].due_at == T0 + second.after
    [message] = world.sender.sent
    assert str(message["Message-ID"]) == rendering.message_id(
        world.outbox.deliveries()[0].uid, domain=plan.clinic.sender_domain
    )


@pytest.mark.parametrize("leaves", ["unsubscribed", "suppressed"])
def test_who_may_not_be_mailed_now_gets_nothing(world: Fixture, leaves: str) -> None:
    ana = world.patient()
    [claim] = world.outbox.claim_due(now=T0, limit=5, owner="w1", lease_seconds=60)
    if leaves == "unsubscribed":
        world.outbox.set_state(ana, store.SubscriberState.UNSUBSCRIBED)
    else:
        world.outbox.suppress("ANA@example.com")
    assert world.dispatcher._deliver(claim) is V.SUPPRESSED
    assert world.sender.sent == []
    assert world.rows()[0][1] is DS.SUPPRESSED


def test_paused_after_the_claim_waits_instead_of_losing_the_step(world: Fixture) -> None:
    ana = world.patient()
    [claim] = world.outbox.claim_due(now=T0, limit=5, owner="w1", lease_seconds=60)
    world.outbox.set_state(ana, store.SubscriberState.PAUSED)
    assert world.dispatcher._deliver(claim) is V.DEFERRED
    assert world.sender.sent == []
    assert world.rows()[0][1] is DS.PENDING


def test_a_step_due_at_night_is_deferred_to_the_window_not_sent(world: Fixture) -> None:
    world.patient()
    saturday_night = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    result = world.batch(clock=lambda: saturday_night)
    assert (result.sent, result.count(V.DEFERRED)) == (0, 1)
    [row] = world.outbox.deliveries()
    assert (row.state, row.attempts, row.due_at) == (
        DS.PENDING,
        0,
        datetime(2026, 12, 7, 9, 0, tzinfo=UTC),  # Monday 09:00 in London
    )


def test_a_temporary_refusal_retries_with_backoff_and_the_batch_goes_on(world: Fixture) -> None:
    world.patient("ana@example.com")
    world.patient("ben@example.com")
    world.sender.fail_next(1, refused(451, "4.3.0"))
    result = world.batch()
    assert (result.count(V.RETRIED), result.sent, result.halt) == (1, 1, None)
    retried = world.outbox.deliveries()[0]
    assert (retried.state, retried.attempts) == (DS.PENDING, 1)
    assert retried.due_at == T0 + delivery.backoff(1, key=retried.uid)
    assert retried.last_error is not None and "<address>" in retried.last_error  # redacted


def test_one_send_without_a_reply_is_retried_and_the_batch_goes_on(world: Fixture) -> None:
    for n in range(4):
        world.patient(f"p{n}@example.com")
    world.sender.fail_next(1, refused(None))  # a dropped connection: the mailer reconnects
    result = world.batch()
    assert (result.count(V.RETRIED), result.sent, result.halt) == (1, 3, None)


def test_sends_without_a_reply_in_a_row_halt_the_batch_and_hand_the_rest_back(
    world: Fixture,
) -> None:
    for n in range(6):
        world.patient(f"p{n}@example.com")
    world.sender.fail_next(1, refused(None))
    world.sender.fail_next(1, refused(451, "4.3.0"))  # an answer: the count starts again
    world.sender.fail_next(dispatch.UNANSWERED_IN_A_ROW, refused(None))
    result = world.batch()
    assert (result.count(V.RETRIED), result.halt, result.released) == (5, H.SERVER_DOWN, 1)
    assert sorted(world.rows()) == [("welcome", DS.PENDING, 0)] + [("welcome", DS.PENDING, 1)] * 5


def test_a_mailbox_that_does_not_exist_bounces_and_is_suppressed(world: Fixture) -> None:
    ana = world.patient()
    world.sender.fail_next(1, refused(550, "5.1.1"))
    assert world.batch().count(V.BOUNCED) == 1
    assert world.outbox.subscriber_state(ana) is store.SubscriberState.BOUNCED
    assert world.outbox.is_suppressed("ana@example.com")
    assert world.rows() == [("welcome", DS.FAILED, 1)]


def test_a_policy_refusal_pauses_counts_no_attempt_and_releases_the_rest(
    world: Fixture,
) -> None:
    world.patient("ana@example.com")
    world.patient("ben@example.com")
    world.sender.fail_next(1, refused(550, "5.7.1"))
    result = world.batch()
    assert (result.count(V.PAUSED), result.halt, result.released) == (1, H.PAUSED, 1)
    assert "5.7.1" in result.pause_reason and "ana@" not in result.pause_reason
    assert world.rows() == [("welcome", DS.PENDING, 0), ("welcome", DS.PENDING, 0)]
    assert world.outbox.deliveries()[0].due_at == T0 + dispatch.PAUSE_FOR
    assert not world.outbox.is_suppressed("ana@example.com")


def test_any_other_permanent_refusal_fails_with_the_reason(world: Fixture) -> None:
    world.patient()
    world.sender.fail_next(1, refused(552, "5.3.4"))
    assert world.batch().count(V.FAILED) == 1
    [row] = world.outbox.deliveries()
    assert row.state is DS.FAILED and row.last_error is not None and "552 5.3.4" in row.last_error


def test_each_delivery_that_does_not_go_out_gets_one_log_line_with_its_id_and_reason(
    world: Fixture, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [world.patient(f"{n}@example.com") for n in ("ana", "ben", "cy", "dee")]
    world.sender.fail_next(1, refused(550, "5.1.1"))
    world.sender.fail_next(1, refused(451, "4.3.0"))
    world.sender.fail_next(1, refused(552, "5.3.4"))
    with caplog.at_level(logging.INFO, logger="drip.dispatch"):
        result = world.batch()
    assert (result.count(V.BOUNCED), result.count(V.RETRIED), result.count(V.FAILED)) == (1, 1, 1)
    rows = {d.subscriber_id: d.id for d in world.outbox.deliveries()}
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "drip.dispatch"]
    assert lines == [
        ("WARNING", f"delivery {rows[ids[0]]}: bounced: 550 5.1.1 no <<address>>"),
        ("INFO", f"delivery {rows[ids[1]]}: retried: 451 4.3.0 no <<address>>"),
        ("WARNING", f"delivery {rows[ids[2]]}: failed: 552 5.3.4 no <<address>>"),
    ]  # the sent one only in the batch's count; no address, name or cause anywhere
    assert not any(w in text for _, text in lines for w in ("@", "Ana", "muscle"))


def test_the_last_allowed_attempt_fails_instead_of_retrying(world: Fixture) -> None:
    world.patient()
    [claim] = world.outbox.claim_due(now=T0, limit=1, owner="w1", lease_seconds=60)
    world.sender.fail_next(1, refused(451, "4.3.0"))
    last_try = dataclasses.replace(claim, attempts=delivery.MAX_ATTEMPTS - 1)
    assert world.dispatcher._deliver(last_try) is V.FAILED


def test_a_step_removed_from_the_yaml_is_skipped_not_suppressed(world: Fixture) -> None:
    world.patient(step="a-step-that-left-the-file")
    result = world.batch()
    assert (result.count(V.SKIPPED), result.count(V.SUPPRESSED), result.sent) == (1, 0, 0)
    plan, _ = committed()
    first = plan.sequences["muscle-injury"].steps[0]
    assert world.rows() == [
        ("a-step-that-left-the-file", DS.CANCELLED, 0),
        (first.id, DS.PENDING, 0),
    ]


def test_an_outcome_another_worker_fenced_out_is_lease_lost_never_sent(world: Fixture) -> None:
    world.patient()

    class Slow(mailer.MemoryMailer):
        """The send outlived the lease: the row was rescued and claimed by another worker."""

        def send(self, message: EmailMessage) -> None:
            super().send(message)
            world.outbox.rescue_expired(now=T0 + timedelta(days=1))
            world.outbox.claim_due(now=T0, limit=1, owner="w2", lease_seconds=60)

    result = world.batch(sender=Slow())
    assert (result.count(V.LEASE_LOST), result.sent) == (1, 0)
    assert world.rows() == [("welcome", DS.SENDING, 0)]  # w2's to finish


class Broken:
    def __init__(self, error: errors.DripError) -> None:
        self.error = error

    def compose(self, claim: store.Claim, *, now: datetime) -> EmailMessage:
        raise self.error


def test_a_template_broken_after_check_retries_later(world: Fixture) -> None:
    world.patient()
    result = world.batch(letters=Broken(errors.RenderError("tip.mjml.j2:3: boom")))
    assert result.count(V.RETRIED) == 1
    assert world.rows() == [("welcome", DS.PENDING, 1)]


def test_a_message_that_can_never_be_built_fails_and_the_batch_goes_on(world: Fixture) -> None:
    world.patient("ana@example.com")
    world.patient("ben@example.com")
    result = world.batch(letters=Broken(errors.InvalidInput("'x@y' is not an email address")))
    assert (result.count(V.FAILED), result.halt) == (2, None)


def test_stop_and_a_lease_running_out_halt_the_batch_and_release_the_rest(
    world: Fixture,
) -> None:
    for n in range(4):
        world.patient(f"p{n}@example.com")
    stop = threading.Event()
    stop.set()
    result = world.batch(stop=stop)
    assert (result.claimed, result.sent, result.halt, result.released) == (4, 0, H.STOPPING, 4)
    ticks = iter([0.0, 1.0, 2.0, 200.0])  # lease 300 s: the third check is past 150 s
    result = world.batch(monotonic=lambda: next(ticks))
    assert (result.sent, result.halt, result.released) == (2, H.LEASE_RUNNING_OUT, 2)


def test_the_batch_line_counts_each_verdict_and_no_patient_data(world: Fixture) -> None:
    world.patient("ana@example.com")
    world.patient("ben@example.com")
    world.sender.fail_next(1, refused(451, "4.3.0"))
    result = world.batch()
    counts = result.counts()
    assert (counts["claimed"], counts["sent"], counts["retried"], counts["lease_lost"]) == (
        2,
        1,
        1,
        0,
    )
    assert result.summary().startswith("sent 1, retried 1, failed 0, suppressed 0 in ")
    assert "ana" not in result.summary() + str(counts)


def test_who_signed_up_again_gets_the_opt_in_email_though_still_suppressed(world: Fixture) -> None:
    ana = world.outbox.add_subscriber(
        email="ana@example.com", timezone="Europe/London", state=store.SubscriberState.PENDING
    )
    world.outbox.suppress("ana@example.com")  # she had unsubscribed, then signed up again
    first = planning.Planned(step_id=sequences.CONFIRM_STEP, due_at=T0)
    world.outbox.enroll(ana, sequence=sequences.CONFIRM_SEQUENCE, first=first)
    welcome = planning.Planned(step_id="welcome", due_at=T0)
    world.outbox.enroll(ana, sequence="muscle-injury", first=welcome)
    result = world.batch()
    assert result.sent == 1  # the opt-in email only: a pending patient's steps are not claimed
    [message] = world.sender.sent
    plan, _ = committed()
    assert str(message["Subject"]) == plan.confirmation_subject


class Poisoned:
    """Builds every message but one's, which raises what nobody planned for."""

    def __init__(self, real: dispatch.Composer, poison: str) -> None:
        self.real, self.poison = real, poison

    def compose(self, claim: store.Claim, *, now: datetime) -> EmailMessage:
        if claim.email == self.poison:
            raise ZeroDivisionError("a bug for ana@example.com")
        return self.real.compose(claim, now=now)


def test_a_poison_delivery_is_retried_never_holds_the_others_and_ends_failed(
    world: Fixture,
) -> None:
    for n in range(5):
        world.patient(f"p{n}@example.com")
    world.patient("ana@example.com")
    poisoned = Poisoned(world.dispatcher.letters, "ana@example.com")
    result = world.batch(letters=poisoned)
    assert (result.sent, result.count(V.RETRIED), result.halt) == (5, 1, None)
    [ana] = [d for d in world.outbox.deliveries() if d.step_id == "welcome" and d.attempts]
    assert ana.last_error == "unexpected ZeroDivisionError: a bug for <address>"
    claims = world.outbox.claim_due(
        now=T0 + timedelta(days=30), limit=50, owner="w1", lease_seconds=60
    )
    [claim] = [c for c in claims if c.email == "ana@example.com"]
    last = dataclasses.replace(claim, attempts=delivery.MAX_ATTEMPTS - 1)
    assert dataclasses.replace(world.dispatcher, letters=poisoned)._one(last) is V.FAILED
    [ana] = [d for d in world.outbox.deliveries() if d.id == claim.delivery_id]
    assert ana.state is DS.FAILED and ana.last_error is not None


class Flaky:
    """An outbox whose writes fail `times` times, as a database whose connection was cut."""

    def __init__(self, real: store.MemoryOutbox, times: int) -> None:
        self.real, self.times = real, times

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.real, name)
        if not name.startswith("mark_"):
            return found

        def flaky(*args: Any, **kwargs: Any) -> Any:
            if self.times > 0:
                self.times -= 1
                raise ConnectionResetError("server closed the connection unexpectedly")
            return found(*args, **kwargs)

        return flaky


def transient(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionResetError)


def test_a_record_that_fails_after_the_relay_took_the_message_is_written_again(
    world: Fixture,
) -> None:
    world.patient()
    naps: list[float] = []
    flaky = Flaky(world.outbox, times=3)
    result = world.batch(outbox=flaky, transient=transient, sleep=naps.append)
    assert result.sent == 1 and len(world.sender.sent) == 1
    assert naps == [0.05, 0.1, 0.2]  # backing off, not hammering
    assert world.rows()[0][1] is DS.SENT


def test_a_database_away_longer_than_the_lease_is_waited_for_and_the_send_recorded(
    world: Fixture,
) -> None:
    """The relay took the message; the database came back after twice the lease: the record
    lands (nobody took the claim meanwhile), the message went out once."""
    world.patient()
    naps: list[float] = []
    flaky = Flaky(world.outbox, times=10**6)

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if sum(naps) > 600:  # the lease is 300 s
            flaky.times = 0

    result = world.batch(outbox=flaky, transient=transient, sleep=nap)
    assert sum(naps) > 600 and max(naps) == 2.0  # past the lease, at most 2 s apart
    assert (result.sent, result.halt, result.count(V.LEASE_LOST)) == (1, None, 0)
    assert world.rows() == [("welcome", DS.SENT, 0), ("heat-and-ice", DS.PENDING, 0)]
    assert len(world.sender.sent) == 1


def test_a_worker_stopped_while_the_database_is_away_gives_the_record_up(world: Fixture) -> None:
    """SIGTERM while the record of a send waits for the database: the stop wins (exit within
    seconds); the message went out, unrecorded, and is sent again by whoever next claims it
    (the one window left: docs/delivery-guarantees.md)."""
    world.patient()
    world.patient("ben@example.com")
    stop = threading.Event()
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 20:
            stop.set()  # SIGTERM

    result = world.batch(
        outbox=Flaky(world.outbox, times=10**6), transient=transient, sleep=nap, stop=stop
    )
    assert len(naps) == 20 and len(world.sender.sent) == 1
    assert (result.halt, result.count(V.LEASE_LOST), result.sent) == (H.STOPPING, 1, 0)
    assert [state for _, state, _ in world.rows()] == [DS.PENDING, DS.PENDING]
