"""One dispatch pass: claim due deliveries, re-check, render, send, record.

Claim, send, record (DESIGN.md): a batch of due rows is claimed with a lease; for each, the
subscriber's state and the suppression list are read again at send time; the email is rendered
(the step once per process, personalised per subscriber) and handed to the mailer; then one
fenced transaction marks it sent and schedules the next step. A failure is classified by the rules
table in `drip.delivery`: retry with backoff, suppress the address, pause sending, or fail.

The clock is a parameter: `drip run` passes the real clock, `drip tick --now` and the demo a
fixed or simulated one. Nothing here logs a patient's cause.
"""

from __future__ import annotations

import logging
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from drip import delivery, errors, planning, redact, rendering, sequences, store, tokens
from drip.mailer import Mailer
from drip.service.app import App

log = logging.getLogger("drip.dispatch")

# How long sending stops after a policy refusal (5.7.x, 530, 535): an operator must act.
PAUSE_FOR = timedelta(minutes=15)

Clock = Callable[[], datetime]


@dataclass(kw_only=True)
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0  # due, but the patient's send window is closed now: moved to its opening
    released: int = 0  # handed back unsent: the batch ran out of lease time
    unreachable: bool = False  # no reply from the mail server: the rest waits for the next pass
    paused: bool = False  # the server refused us by policy (5.7.x): stop sending, alert
    seconds: float = 0.0
    pause_reason: str = ""

    def counts(self) -> dict[str, int | float]:
        """The figures of a batch, for its log line: counts and duration only."""
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "suppressed": self.suppressed,
            "deferred": self.deferred,
            "released": self.released,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        return (
            f"sent {self.sent}, retried {self.retried}, failed {self.failed}, "
            f"suppressed {self.suppressed}, deferred {self.deferred} in {self.seconds:.2f}s"
        )

    def add(self, outcome: delivery.Outcome | None) -> None:
        if outcome is delivery.Outcome.SENT:
            self.sent += 1
        elif outcome is delivery.Outcome.RETRY:
            self.retried += 1
        elif outcome is delivery.Outcome.FAIL:
            self.failed += 1
        elif outcome is delivery.Outcome.SUPPRESS:
            self.suppressed += 1


@dataclass
class Pacer:
    """Keeps sends at or under `rate` per second (a worker's share of the relay's limit)."""

    rate: float
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    _next: float = field(default=0.0, init=False)

    def wait(self) -> None:
        now = self.monotonic()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate


def no_pacing() -> None:
    """For simulated time (the demo, `drip tick --now`): nothing to wait for."""


@dataclass(frozen=True, kw_only=True)
class Dispatcher:
    """`clock` says what is due and stamps what is sent (simulated in the demo and with
    `drip tick --now`); leases always run on `lease_clock`, real time, because expired leases
    are rescued on real time; `monotonic` times a batch against its lease."""

    app: App
    mailer: Mailer
    clock: Clock
    owner: str
    pace: Callable[[], None] = no_pacing
    stop: threading.Event = field(default_factory=threading.Event)
    lease_clock: Clock | None = None
    monotonic: Callable[[], float] = time.monotonic

    def batch(self) -> BatchResult:
        """Claim up to batch_size due deliveries and process them. The rest of the batch is
        released on stop, on a policy pause, when the mail server cannot be reached, and before
        the lease is half gone (a slow relay must not let a rescued claim be sent twice)."""
        started = time.perf_counter()
        cfg = self.app.config
        claims = self.app.store.claim_due(
            now=self.clock(),
            limit=cfg.batch_size,
            owner=self.owner,
            lease_seconds=cfg.lease_seconds,
            lease_from=self.lease_clock() if self.lease_clock else None,
        )
        deadline = self.monotonic() + cfg.lease_seconds / 2
        result = BatchResult(claimed=len(claims))
        for n, claim in enumerate(claims):
            if self.stop.is_set() or result.paused or result.unreachable:
                break
            if self.monotonic() > deadline:
                result.released = len(claims) - n
                break
            self.pace()
            result.add(self._deliver(claim, result))
        if self.stop.is_set() or result.paused or result.unreachable or result.released:
            self.app.store.release(self.owner)
        result.seconds = time.perf_counter() - started
        return result

    def batches(self) -> Iterator[BatchResult]:
        """Batches until nothing is due (or stop, a policy pause, an unreachable server)."""
        while not self.stop.is_set():
            result = self.batch()
            yield result
            if result.claimed == 0 or result.paused or result.unreachable:
                break

    def tick(self) -> list[BatchResult]:
        """One pass, all its batches: `drip tick`."""
        return list(self.batches())

    def _deliver(self, claim: store.Claim, result: BatchResult) -> delivery.Outcome | None:
        """Send one claimed delivery; the outcome, or None when it was deferred."""
        db, now = self.app.store, self.clock()
        confirming = claim.sequence == store.CONFIRM_SEQUENCE
        wanted = store.SubscriberState.PENDING if confirming else store.SubscriberState.ACTIVE
        check = db.recheck(claim.subscriber_id)
        reason = _unreachable(check, wanted)
        if reason is not None or check is None:
            db.mark_suppressed(
                claim.delivery_id, owner=self.owner, now=now, reason=f"subscriber is {reason}"
            )
            return delivery.Outcome.SUPPRESS
        if not confirming and self._step(claim) is None:
            return self._skip_removed(claim, now, check)
        if not confirming and (opens := self._window_opens(claim, check, now)) > now:
            db.defer(claim.delivery_id, owner=self.owner, due_at=opens)
            result.deferred += 1
            return None
        try:
            message = self._compose(claim, now)
            self.mailer.send(message)
        except errors.RenderError as exc:  # a template broken after `drip check`: fixable
            return self._retry(claim, now, f"render: {exc}", delivery.Outcome.RETRY)
        except (errors.InvalidInput, errors.HeaderInjectionError) as exc:
            # This message can never be built (e.g. an address no mail server can carry):
            # it ends as failed, with the reason, instead of stopping the batch.
            error = redact.addresses(str(exc))
            db.mark_failed(claim.delivery_id, owner=self.owner, now=now, error=error)
            return delivery.Outcome.FAIL
        except errors.SendError as exc:
            return self._failed(claim, now, exc, result)
        db.mark_sent(
            claim.delivery_id,
            owner=self.owner,
            now=now,
            message_id=str(message["Message-ID"]),
            next=None
            if confirming
            else self._next(claim, now, check, sent=check.sent | {claim.key}),
        )
        return delivery.Outcome.SENT

    def _window_opens(self, claim: store.Claim, check: store.Recheck, now: datetime) -> datetime:
        """`now` inside the subscriber's send window, else when it next opens. The stale-step
        guard: a step that fell due while drip was down is sent in the window, not at 3 am.
        (`first_step: at-once` exempts an enrollment's first step: it was planned to go now.)"""
        window = self.app.plan.window
        first = not any(sequence == claim.sequence for sequence, _ in check.sent)
        if first and window.first_step_at_once:
            return now
        return planning.into_window(now, tz=zoneinfo.ZoneInfo(claim.timezone), window=window)

    def _step(self, claim: store.Claim) -> sequences.Step | None:
        sequence = self.app.plan.sequence(claim.sequence)
        return None if sequence is None else sequence.step(claim.step_id)

    def _skip_removed(
        self, claim: store.Claim, now: datetime, check: store.Recheck
    ) -> delivery.Outcome:
        """The step was queued, then removed from sequences.yaml: never sent; the next unsent
        step in the current order follows (planning's rule for edited sequences)."""
        self.app.store.mark_skipped(
            claim.delivery_id,
            owner=self.owner,
            now=now,
            reason=f"step {claim.step_id!r} is no longer in sequences.yaml",
            next=self._next(claim, now, check, sent=check.sent),
        )
        return delivery.Outcome.SUPPRESS

    def _compose(self, claim: store.Claim, now: datetime) -> EmailMessage:
        app = self.app
        rendered = (
            app.renderer.confirmation()
            if claim.sequence == store.CONFIRM_SEQUENCE
            else app.renderer.step(claim.sequence, claim.step_id)
        )
        unsubscribe, preferences, confirm = tokens.links(
            app.keys, app.base_url, claim.subscriber_uid, now=now
        )
        return rendering.compose(
            rendered,
            clinic=app.plan.clinic,
            recipient=rendering.Recipient(email=claim.email, first_name=claim.first_name),
            links=rendering.Links(
                unsubscribe=unsubscribe, preferences=preferences, confirm=confirm
            ),
            message_id=rendering.message_id(
                claim.delivery_uid, domain=app.plan.clinic.sender_domain
            ),
            date=now,
        )

    def _next(
        self,
        claim: store.Claim,
        now: datetime,
        check: store.Recheck,
        *,
        sent: frozenset[tuple[str, str]],
    ) -> planning.Planned | None:
        """The step to queue after this one, from everything the subscriber was sent."""
        sequence = self.app.plan.sequence(claim.sequence)
        if sequence is None:
            return None
        return planning.plan(
            sequence=sequence,
            sent=planning.done_steps(self.app.plan, sequence, sent),
            last_sent_at=now,
            enrolled_at=now,
            tz=zoneinfo.ZoneInfo(claim.timezone),
            window=self.app.plan.window,
            subscriber_active=check.state is store.SubscriberState.ACTIVE,
        )

    def _failed(
        self, claim: store.Claim, now: datetime, exc: errors.SendError, result: BatchResult
    ) -> delivery.Outcome | None:
        """Apply the rules table (drip.delivery) to a refused or failed send."""
        outcome = delivery.decide(exc, attempts=claim.attempts + 1)
        error = redact.addresses(str(exc))  # relays quote the recipient in their replies
        db = self.app.store
        if outcome is delivery.Outcome.PAUSE:
            # Our fault (policy, credentials), not this delivery's: no attempt is counted.
            result.paused, result.pause_reason = True, error
            db.defer(claim.delivery_id, owner=self.owner, due_at=now + PAUSE_FOR, reason=error)
            return None
        if outcome is delivery.Outcome.RETRY:
            result.unreachable = exc.code is None
            return self._retry(claim, now, error, outcome)
        db.mark_failed(claim.delivery_id, owner=self.owner, now=now, error=error)
        if outcome is delivery.Outcome.SUPPRESS:
            db.set_state(
                claim.subscriber_uid,
                store.SubscriberState.BOUNCED,
                now=now,
                event=store.EventKind.SUPPRESSED,
            )
        return outcome

    def _retry(
        self, claim: store.Claim, now: datetime, error: str, outcome: delivery.Outcome
    ) -> delivery.Outcome:
        """Back to pending after the backoff; past MAX_ATTEMPTS the delivery fails."""
        attempts = claim.attempts + 1
        if attempts >= delivery.MAX_ATTEMPTS:
            self.app.store.mark_failed(claim.delivery_id, owner=self.owner, now=now, error=error)
            return delivery.Outcome.FAIL
        self.app.store.mark_retry(
            claim.delivery_id,
            owner=self.owner,
            now=now,
            error=error,
            retry_at=now + delivery.backoff(attempts, key=claim.delivery_uid),
        )
        return outcome


def _unreachable(check: store.Recheck | None, wanted: store.SubscriberState) -> str | None:
    """Why this subscriber must not get the email now, or None."""
    if check is None:
        return "gone"
    if check.suppressed:
        return "suppressed"
    return None if check.state is wanted else check.state.value


def total(results: list[BatchResult]) -> BatchResult:
    """The sum of a pass's batches."""
    out = BatchResult()
    for r in results:
        out.claimed += r.claimed
        out.sent += r.sent
        out.retried += r.retried
        out.failed += r.failed
        out.suppressed += r.suppressed
        out.deferred += r.deferred
        out.released += r.released
        out.unreachable = out.unreachable or r.unreachable
        out.seconds += r.seconds
        out.paused = out.paused or r.paused
        out.pause_reason = out.pause_reason or r.pause_reason
    return out
