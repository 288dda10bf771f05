"""One dispatch pass: claim due deliveries, re-check, render, send, record.

Claim, send, record (docs/architecture.md): a batch of due rows is claimed with a lease and
its subscribers read again in one go; for each claim the checks are made and the email built
(the step rendered once per process, personalised per subscriber); just before the send the
patient's state and suppression are read once more (an unsubscribe since the claim wins); the
sender hands it over, on a thread of its own, while the next claim is prepared; then one
fenced transaction records the outcome and queues the next step, before the next email goes
out. A failure is
classified by the rules table in `drip.delivery`: retry with backoff, suppress the address,
pause sending, or fail.

The dispatcher owns its ports: an `Outbox` (the handful of store operations it uses; the SQL
store and `drip.store.MemoryOutbox` both provide it), a `Sender` (any mailer) and a `Composer`
(`letters.Letters`). Each claim
ends in one `Verdict`, folded into the batch's `BatchResult`. The clock is a parameter: `drip
run` passes the real clock, `drip tick --now` and the demo a fixed or simulated one. Nothing here
logs a patient's cause.
"""

from __future__ import annotations

import logging
import threading
import time
import zoneinfo
from collections.abc import Callable, Collection, Iterator
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol, TypeVar

from drip import contacts, delivery, durations, errors, planning, redact, sequences, store
from drip.service import pacing

log = logging.getLogger("drip.dispatch")

# How long sending stops after a policy refusal (5.7.x, 530, 535): an operator must act.
PAUSE_FOR = timedelta(minutes=15)
# Sends in a row that get no reply at all (refused, dropped, timed out) before the batch stops:
# one dropped connection is retried and the batch goes on; a server that is down is not
# hammered with the whole batch.
UNANSWERED_IN_A_ROW = 3

Clock = Callable[[], datetime]
_T = TypeVar("_T")


class Outbox(Protocol):
    """The store operations a dispatch pass uses; each is one transaction, fenced by the lease."""

    def claim_due(
        self,
        *,
        now: datetime,
        limit: int,
        owner: str,
        lease_seconds: int,
        lease_from: datetime | None = None,
    ) -> list[store.Claim]: ...

    def release(self, owner: str) -> int: ...

    def recheck(self, subscriber_id: int) -> store.Recheck | None: ...

    def rechecks(self, subscriber_ids: Collection[int]) -> dict[int, store.Recheck]: ...

    def standing(self, subscriber_id: int, email: str) -> store.Standing | None: ...

    def mark_sent(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        message_id: str,
        next: planning.Planned | None,
    ) -> bool: ...

    def mark_retry(
        self, delivery_id: int, *, owner: str, now: datetime, error: str, retry_at: datetime
    ) -> bool: ...

    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool: ...

    def mark_bounced(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool: ...

    def mark_suppressed(
        self, delivery_id: int, *, owner: str, now: datetime, reason: str
    ) -> bool: ...

    def mark_skipped(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        reason: str,
        next: planning.Planned | None,
    ) -> bool: ...

    def defer(
        self, delivery_id: int, *, owner: str, due_at: datetime, reason: str | None = None
    ) -> bool: ...


class Sender(Protocol):
    """Hands one message to the world; raises errors.SendError (any drip.mailer will do)."""

    def send(self, message: EmailMessage) -> None: ...


class Composer(Protocol):
    """Builds the message of a claimed delivery (`letters.Letters`); raises RenderError,
    InvalidInput or HeaderInjectionError when it cannot."""

    def compose(self, claim: store.Claim, *, now: datetime) -> EmailMessage: ...


class Timings(Protocol):
    """Told how long claims and sends take (the metrics' histograms)."""

    def claimed(self, seconds: float) -> None: ...

    def sent(self, seconds: float) -> None: ...


class _Untimed:
    def claimed(self, seconds: float) -> None:
        pass

    def sent(self, seconds: float) -> None:
        pass


UNTIMED: Timings = _Untimed()


class Verdict(StrEnum):
    """How one claimed delivery ended in this pass."""

    SENT = "sent"
    RETRIED = "retried"  # a temporary failure: pending again, after the backoff
    FAILED = "failed"  # for good, with the reason
    BOUNCED = "bounced"  # the mailbox does not exist: failed, and the address suppressed
    SUPPRESSED = "suppressed"  # not mailable now (unsubscribed, suppressed, gone): not sent
    SKIPPED = "skipped"  # its step left sequences.yaml: cancelled, the next step queued
    DEFERRED = "deferred"  # due, but the patient's send window is closed: moved to its opening
    PAUSED = "paused"  # the server refused us by policy: pending again, nothing counted
    LEASE_LOST = "lease_lost"  # another worker holds it now: this worker's outcome dropped


# The verdicts logged one line each, at these levels (a sent, skipped, suppressed or deferred
# delivery is only counted in the batch's line).
_TROUBLE = {
    Verdict.RETRIED: logging.INFO,
    Verdict.PAUSED: logging.WARNING,
    Verdict.FAILED: logging.WARNING,
    Verdict.BOUNCED: logging.WARNING,
}


class Halt(StrEnum):
    """Why a batch stopped before its end; what is left of it is handed back."""

    STOPPING = "stopping"  # SIGTERM / SIGINT
    DATABASE_DOWN = "database_down"  # the database stopped answering: what is held is rescued
    PAUSED = "paused"  # a policy refusal: every send would fail too
    SERVER_DOWN = "server_down"  # no reply from the mail server, several times in a row
    LEASE_RUNNING_OUT = "lease_running_out"  # half the lease gone: a rescue must not double-send
    THROTTLED = "throttled"  # the shared send rate is spent for a while: the rest waits


@dataclass(kw_only=True)
class BatchResult:
    claimed: int = 0
    verdicts: dict[Verdict, int] = field(default_factory=lambda: dict.fromkeys(Verdict, 0))
    released: int = 0  # handed back unsent when the batch halted
    halt: Halt | None = None
    pause_reason: str = ""
    resume_at: datetime | None = None  # THROTTLED: when the send budget opens again
    seconds: float = 0.0

    def count(self, verdict: Verdict) -> int:
        return self.verdicts[verdict]

    @property
    def sent(self) -> int:
        return self.verdicts[Verdict.SENT]

    @property
    def paused(self) -> bool:
        return self.halt is Halt.PAUSED

    def add(self, verdict: Verdict) -> None:
        self.verdicts[verdict] += 1

    def counts(self) -> dict[str, int | float]:
        """The figures of a batch, for its log line: counts and duration only."""
        return {
            "claimed": self.claimed,
            **{verdict.value: n for verdict, n in self.verdicts.items()},
            "released": self.released,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        shown = ", ".join(
            f"{verdict.value.replace('_', ' ')} {n}"
            for verdict, n in self.verdicts.items()
            if n or verdict in _ALWAYS_SHOWN
        )
        return f"{shown} in {self.seconds:.2f}s"


_ALWAYS_SHOWN = (Verdict.SENT, Verdict.RETRIED, Verdict.FAILED, Verdict.SUPPRESSED)


def total(results: list[BatchResult]) -> BatchResult:
    """The sum of a pass's batches; the first halt is the pass's."""
    out = BatchResult()
    for r in results:
        out.claimed += r.claimed
        out.released += r.released
        out.seconds += r.seconds
        for verdict, n in r.verdicts.items():
            out.verdicts[verdict] += n
        out.halt = out.halt or r.halt
        out.pause_reason = out.pause_reason or r.pause_reason
        out.resume_at = out.resume_at or r.resume_at
    return out


@dataclass(frozen=True)
class _Unanswered(Exception):
    """A send that got no reply at all, retried (`verdict`): the batch counts these in a row."""

    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class _Halted(Exception):
    """Raised inside a batch to stop it: the verdict of the claim in hand, and why."""

    verdict: Verdict
    halt: Halt
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class _Ready:
    """A claim that passed every check, its message built and the step after it planned: all
    that is left is the send and its record."""

    claim: store.Claim
    check: store.Recheck
    read_before: bool  # `check` is the batch's read, not one made for this claim
    now: datetime
    message: EmailMessage
    following: planning.Planned | None


# What preparing a claim ahead of its turn gave: what to do at its turn.
_Early = Verdict | _Ready | _Halted


@dataclass(kw_only=True)
class _Pass:
    """One batch as it is worked through: its claims in order, the subscribers as read just
    after the claim, and the claims prepared ahead of their turn (by delivery id)."""

    claims: list[store.Claim]
    checks: dict[int, store.Recheck]
    courier: ThreadPoolExecutor
    ahead: dict[int, _Early] = field(default_factory=dict)
    _first: dict[int, int] = field(default_factory=dict)  # subscriber id: their first claim

    def __post_init__(self) -> None:
        for index, claim in reversed(list(enumerate(self.claims))):
            self._first[claim.subscriber_id] = index

    def known(self, index: int) -> store.Recheck | None:
        """The batch's read of claim `index`'s subscriber, or None to read them again: when
        an earlier claim of the batch was theirs too, its record may change what they were
        sent (and when they were not found, a read now says why)."""
        subscriber = self.claims[index].subscriber_id
        return self.checks.get(subscriber) if self._first[subscriber] == index else None

    def upcoming(self, index: int) -> store.Claim | None:
        """The claim after `index`, to prepare while claim `index`'s email is in flight; None
        when there is none, or when it is the same patient's."""
        if index + 1 >= len(self.claims):
            return None
        upcoming = self.claims[index + 1]
        return None if upcoming.subscriber_id == self.claims[index].subscriber_id else upcoming


@dataclass(frozen=True, kw_only=True)
class Dispatcher:
    """`clock` says what is due and stamps what is sent (simulated in the demo and with
    `drip tick --now`); leases run on `lease_clock`, real time, because expired leases are
    rescued on real time; `monotonic` times a batch against its lease."""

    outbox: Outbox
    sender: Sender
    letters: Composer
    plan: sequences.Plan
    clock: Clock
    owner: str
    batch_size: int
    lease_seconds: int
    pace: Callable[[], None] = pacing.no_pacing  # raises pacing.Throttled when spent
    stop: threading.Event = field(default_factory=threading.Event)
    lease_clock: Clock | None = None
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    transient: Callable[[BaseException], bool] = store.transient  # a database that is away
    timings: Timings = UNTIMED
    stale_after: timedelta | None = None  # DRIP_STALE_AFTER: the stale-step guard; None: off

    def batch(self) -> BatchResult:
        """Claim up to batch_size due deliveries and process them. The rest of the batch is
        released on stop, on a policy pause, when the mail server has not answered
        UNANSWERED_IN_A_ROW sends in a row, and before
        the lease is half gone (a slow relay must not let a rescued claim be sent twice)."""
        started = time.perf_counter()
        claims = self.outbox.claim_due(
            now=self.clock(),
            limit=self.batch_size,
            owner=self.owner,
            lease_seconds=self.lease_seconds,
            lease_from=self.lease_clock() if self.lease_clock else None,
        )
        self.timings.claimed(time.perf_counter() - started)
        deadline = self.monotonic() + self.lease_seconds / 2
        result = BatchResult(claimed=len(claims))
        unanswered = 0
        checks = self._rechecks(claims)
        with ThreadPoolExecutor(1, thread_name_prefix="drip-send") as courier:
            run = _Pass(claims=claims, checks=checks, courier=courier)
            for index in range(len(claims)):
                if self.stop.is_set():
                    result.halt = Halt.STOPPING
                elif self.monotonic() > deadline:
                    result.halt = Halt.LEASE_RUNNING_OUT
                if result.halt:
                    break
                try:
                    self.pace()
                except pacing.Throttled as throttled:
                    result.halt, result.resume_at = Halt.THROTTLED, throttled.until
                    break
                try:
                    result.add(self._turn(run, index))
                    unanswered = 0
                except _Unanswered as no_reply:  # the mailer reconnects for the next one
                    result.add(no_reply.verdict)
                    unanswered += 1
                    if unanswered >= UNANSWERED_IN_A_ROW:
                        result.halt = Halt.SERVER_DOWN
                except _Halted as halted:
                    result.add(halted.verdict)
                    result.halt, result.pause_reason = halted.halt, halted.reason
        for early in run.ahead.values():  # decided ahead, then the batch stopped before its turn
            if isinstance(early, Verdict):
                result.add(early)
            elif isinstance(early, _Halted):
                result.add(early.verdict)
        if result.halt is Halt.DATABASE_DOWN:
            pass  # nothing to hand back to a database that is away: the leases run out
        elif result.halt:
            result.released = self._release()
        result.seconds = time.perf_counter() - started
        return result

    def _rechecks(self, claims: list[store.Claim]) -> dict[int, store.Recheck]:
        """The batch's subscribers read once, just after the claim. If that read fails, each
        claim reads its subscriber at its turn instead, with the errors handled there."""
        try:
            return self.outbox.rechecks([claim.subscriber_id for claim in claims])
        except Exception as exc:
            log.warning("reading the batch's subscribers failed (%s): one by one", _what(exc))
            return {}

    def _turn(self, run: _Pass, index: int) -> Verdict:
        """One claim's turn: prepare it (unless that was done ahead), send it, record it.

        While its email is in flight, the next claim is prepared (decided and composed), so
        that the database and the CPU work overlap the wait on the mail server; it is sent
        only after this one's record is committed, so one email at a time is in flight, and
        what a crash can duplicate is that one. Not when both are the same patient's: the
        next one's decisions depend on this one's record."""
        claim = run.claims[index]
        early = run.ahead.pop(claim.delivery_id, None)
        if isinstance(early, _Halted):
            raise early
        if early is None:
            prepared = self._guarded(claim, self._prepare, claim, run.known(index))
        else:
            prepared = early
        if isinstance(prepared, _Ready) and (early is not None or prepared.read_before):
            prepared = self._guarded(claim, self._confirmed, prepared)
        if isinstance(prepared, Verdict):
            return prepared
        upcoming = run.upcoming(index)
        if upcoming is None:
            return self._guarded(claim, self._send, prepared)

        def meanwhile() -> None:
            assert upcoming is not None
            run.ahead[upcoming.delivery_id] = self._early(upcoming, run.known(index + 1))

        return self._guarded(claim, self._send, prepared, run.courier, meanwhile)

    def _early(self, claim: store.Claim, known: store.Recheck | None) -> _Early:
        try:
            return self._guarded(claim, self._prepare, claim, known)
        except _Halted as halted:
            return halted

    def _confirmed(self, ready: _Ready) -> Verdict | _Ready:
        """A claim decided on an earlier read of its subscriber (the batch's, or one made
        while the email before was in flight) is read once more just before its send: an
        unsubscribe, a pause or a suppression that landed since wins. Then it is decided again
        from the start (and sent, if it still may be)."""
        claim = ready.claim
        if self.outbox.standing(claim.subscriber_id, claim.email) == ready.check.standing:
            return ready
        return self._one(claim)

    def _one(self, claim: store.Claim) -> Verdict:
        """One claim from the start, on its own: prepared, sent and recorded, guarded."""
        return self._guarded(claim, self._deliver, claim)

    def _guarded(self, claim: store.Claim, step: Callable[..., _T], *args: object) -> _T | Verdict:
        """`step(*args)` for `claim`, and what a delivery that raises something unexpected
        becomes: a retry with its attempt counted (failed, with the reason, after
        MAX_ATTEMPTS), so that a poison delivery never holds the others back."""
        try:
            return step(*args)
        except (_Halted, _Unanswered):
            raise
        except Exception as exc:
            if self.transient(exc):
                raise _Halted(Verdict.LEASE_LOST, Halt.DATABASE_DOWN, _what(exc)) from exc
            log.error("delivery %s: unexpected %s", claim.delivery_id, _what(exc))
            return self._retry(claim, self.clock(), f"unexpected {_what(exc)}")

    def _release(self) -> int:
        try:
            return self.outbox.release(self.owner)
        except Exception as exc:
            if not self.transient(exc):
                raise
            return 0  # the database is away: the leases run out and the claims are rescued

    def batches(self) -> Iterator[BatchResult]:
        """Batches until nothing is due (or stop, a policy pause, a server that does not answer)."""
        while not self.stop.is_set():
            result = self.batch()
            yield result
            if result.claimed == 0 or result.halt in (
                Halt.PAUSED,
                Halt.SERVER_DOWN,
                Halt.THROTTLED,
            ):
                break

    def tick(self) -> list[BatchResult]:
        """One pass, all its batches: `drip tick`."""
        return list(self.batches())

    def _deliver(self, claim: store.Claim) -> Verdict:
        """Send one claimed delivery, and record how it ended (raises _Halted to stop)."""
        prepared = self._prepare(claim)
        return prepared if isinstance(prepared, Verdict) else self._send(prepared)

    def _prepare(self, claim: store.Claim, known: store.Recheck | None = None) -> Verdict | _Ready:
        """Everything before the send: the subscriber read again (unless `known`, the batch's
        read), the checks (paused, not mailable, step removed or overtaken, stale, outside
        the window: each recorded, as its verdict), the message composed, the next step
        planned."""
        now = self.clock()
        confirming = claim.sequence == sequences.CONFIRM_SEQUENCE
        check = self.outbox.recheck(claim.subscriber_id) if known is None else known
        if not confirming and check is not None and check.state is store.SubscriberState.PAUSED:
            # Paused after the claim: the step waits with the rest of theirs (pending ones are
            # not claimed while paused) and goes out when they resume; it is not theirs to lose.
            return self._kept(self.outbox.defer, claim, Verdict.DEFERRED, due_at=claim.due_at)
        why_not = _not_mailable(check, confirming=confirming)
        if why_not is not None or check is None:
            reason = f"subscriber is {why_not}"
            mark = self.outbox.mark_suppressed
            return self._kept(mark, claim, Verdict.SUPPRESSED, now=now, reason=reason)
        if not confirming and self._step(claim) is None:
            return self._skip_removed(claim, now, check)
        if not confirming and (first := self._first_unsent(claim, check)) != claim.step_id:
            return self._skip_overtaken(claim, now, first)
        if not confirming and (later := self._stale(claim, now)) is not None:
            late = durations.format_duration(self.stale_after or timedelta(0))
            reason = f"found more than {late} past its time: moved into the send window"
            return self._kept(
                self.outbox.defer, claim, Verdict.DEFERRED, due_at=later, reason=reason
            )
        if not confirming and (opens := self._window_opens(claim, check, now)) > now:
            return self._kept(self.outbox.defer, claim, Verdict.DEFERRED, due_at=opens)
        try:
            message = self.letters.compose(claim, now=now)
        except errors.RenderError as exc:  # a template broken after `drip check`: fixable
            return self._retry(claim, now, f"render: {exc}")
        except (errors.InvalidInput, errors.HeaderInjectionError) as exc:
            # This message can never be built (e.g. an address no mail server can carry):
            # it ends as failed, with the reason, instead of stopping the batch.
            error = _unbuildable(exc)
            return self._kept(self.outbox.mark_failed, claim, Verdict.FAILED, now=now, error=error)
        following = None if confirming else self._next(claim, now, check, sent={claim.key})
        return _Ready(
            claim=claim,
            check=check,
            read_before=known is not None,
            now=now,
            message=message,
            following=following,
        )

    def _send(
        self,
        ready: _Ready,
        courier: ThreadPoolExecutor | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> Verdict:
        """Hand the message to the sender, then record how that went. With a `courier`, the
        send runs on its thread while `meanwhile` runs on this one; the record waits for both."""
        claim, now = ready.claim, ready.now
        try:
            if courier is None or meanwhile is None:
                self._hand(ready.message)
            else:
                sending = courier.submit(self._hand, ready.message)
                try:
                    meanwhile()
                finally:
                    futures.wait([sending])
                sending.result()
        except errors.SendError as exc:
            return self._refused(claim, now, exc)
        return self._kept(
            self.outbox.mark_sent,
            claim,
            Verdict.SENT,
            now=now,
            message_id=str(ready.message["Message-ID"]),
            next=ready.following,
        )

    def _hand(self, message: EmailMessage) -> None:
        handing = time.perf_counter()
        self.sender.send(message)
        self.timings.sent(time.perf_counter() - handing)

    def _kept(
        self, mark: Callable[..., bool], claim: store.Claim, verdict: Verdict, **outcome: object
    ) -> Verdict:
        """Record `verdict` with `mark`; LEASE_LOST when the fence says another worker has it.

        A database that stops answering is asked again, with backoff (at most 2 s apart), until
        it answers or the worker is stopped — past the claim's lease too: once the relay has the
        message, its record must not be lost to a dropped connection, and the fence (this
        worker's name on a row still being sent) tells whether it still may write it. Its own
        worker spares the claim from rescue meanwhile (`operations.Worker.housekeeping`); only
        another worker's rescue, once the lease is over, can take it and send it again."""
        wait = 0.05
        while True:
            try:
                kept = mark(claim.delivery_id, owner=self.owner, **outcome)
                break
            except Exception as exc:
                if not self.transient(exc):
                    raise
                if self.stop.is_set():
                    raise _Halted(Verdict.LEASE_LOST, Halt.DATABASE_DOWN, _what(exc)) from exc
                log.warning(
                    "delivery %s: the database is away (%s); recording again in %.2fs",
                    claim.delivery_id,
                    type(exc).__name__,
                    wait,
                )
                self.sleep(wait)
                wait = min(wait * 2, 2.0)
        if not kept:
            log.warning("delivery %s: lease lost; another worker has it", claim.delivery_id)
        elif verdict in _TROUBLE:
            # One line per delivery that did not go out as it should: its id and the reason as
            # stored (addresses redacted), never the patient's address, name or cause.
            why = outcome.get("error") or outcome.get("reason") or ""
            log.log(_TROUBLE[verdict], "delivery %s: %s: %s", claim.delivery_id, verdict, why)
        return verdict if kept else Verdict.LEASE_LOST

    def _stale(self, claim: store.Claim, now: datetime) -> datetime | None:
        """The stale-step guard: a step found more than `stale_after` past its time (drip was
        down, the patient was paused) is not sent at once but moved into the patient's next
        send window, spread across it; None when it is on time."""
        if self.stale_after is None or now - claim.due_at <= self.stale_after:
            return None
        return planning.spread_into_next_window(
            now,
            tz=zoneinfo.ZoneInfo(claim.timezone),
            window=self.plan.window,
            key=claim.delivery_uid,
        )

    def _window_opens(self, claim: store.Claim, check: store.Recheck, now: datetime) -> datetime:
        """`now` inside the subscriber's send window, else when it next opens: a step that fell
        due at night is sent in the window, not at 3 am.
        (`first_step: at-once` exempts an enrollment's first step: it was planned to go now.)"""
        window = self.plan.window
        first = not any(sequence == claim.sequence for sequence, _ in check.sent)
        if first and window.first_step_at_once:
            return now
        return planning.into_window(now, tz=zoneinfo.ZoneInfo(claim.timezone), window=window)

    def _step(self, claim: store.Claim) -> sequences.Step | None:
        sequence = self.plan.sequence(claim.sequence)
        return None if sequence is None else sequence.step(claim.step_id)

    def _skip_removed(self, claim: store.Claim, now: datetime, check: store.Recheck) -> Verdict:
        """The step was queued, then removed from sequences.yaml: never sent; the next unsent
        step in the current order follows (planning's rule for edited sequences)."""
        return self._kept(
            self.outbox.mark_skipped,
            claim,
            Verdict.SKIPPED,
            now=now,
            reason=f"step {claim.step_id!r} is no longer in sequences.yaml",
            next=self._next(claim, now, check, sent=frozenset()),
        )

    def _first_unsent(self, claim: store.Claim, check: store.Recheck) -> str | None:
        """The step the patient should get now by planning's rule for edited sequences: the
        claimed one, unless sequences.yaml changed since it was queued (a step added or moved
        before it), or its content reached them in another sequence meanwhile."""
        sequence = self.plan.sequence(claim.sequence)
        assert sequence is not None  # _step found the claimed step in it
        step = planning.first_unsent(sequence, planning.done_steps(self.plan, sequence, check.sent))
        return None if step is None else step.id

    def _skip_overtaken(self, claim: store.Claim, now: datetime, first: str | None) -> Verdict:
        """Not this step now: the one the rule puts first takes its place and its due time (so
        the window and the stale-step guard apply to it alike); the claimed step is planned
        again after it, since it was not sent. None: nothing is left for the patient."""
        if first is None:
            reason = f"step {claim.step_id!r}: its content was already sent in another sequence"
            following = None
        else:
            reason = f"step {claim.step_id!r}: {first!r} comes before it in sequences.yaml now"
            following = planning.Planned(step_id=first, due_at=claim.due_at)
        return self._kept(
            self.outbox.mark_skipped,
            claim,
            Verdict.SKIPPED,
            now=now,
            reason=reason,
            next=following,
        )

    def _next(
        self,
        claim: store.Claim,
        now: datetime,
        check: store.Recheck,
        *,
        sent: frozenset[tuple[str, str]] | set[tuple[str, str]],
    ) -> planning.Planned | None:
        """The step to queue after this one, from everything the subscriber was sent (`sent`:
        what this delivery adds to it)."""
        sequence = self.plan.sequence(claim.sequence)
        if sequence is None:
            return None
        return planning.plan(
            sequence=sequence,
            sent=planning.done_steps(self.plan, sequence, check.sent | frozenset(sent)),
            last_sent_at=now,
            enrolled_at=now,
            tz=zoneinfo.ZoneInfo(claim.timezone),
            window=self.plan.window,
            subscriber_active=check.state is store.SubscriberState.ACTIVE,
        )

    def _refused(self, claim: store.Claim, now: datetime, exc: errors.SendError) -> Verdict:
        """Apply the rules table (drip.delivery) to a refused or failed send."""
        outcome = delivery.decide(exc, attempts=claim.attempts + 1)
        error = redact.addresses(str(exc))  # relays quote the recipient in their replies
        if outcome is delivery.Outcome.PAUSE:
            # Our fault (policy, credentials), not this delivery's: no attempt is counted.
            due = now + PAUSE_FOR
            verdict = self._kept(self.outbox.defer, claim, Verdict.PAUSED, due_at=due, reason=error)
            raise _Halted(verdict, Halt.PAUSED, error)
        if outcome is delivery.Outcome.RETRY:
            verdict = self._retry(claim, now, error)
            if exc.code is None:  # no reply at all: a dropped connection, or a server down
                raise _Unanswered(verdict, error)
            return verdict
        if outcome is delivery.Outcome.SUPPRESS:
            mark = self.outbox.mark_bounced
            return self._kept(mark, claim, Verdict.BOUNCED, now=now, error=error)
        return self._kept(self.outbox.mark_failed, claim, Verdict.FAILED, now=now, error=error)

    def _retry(self, claim: store.Claim, now: datetime, error: str) -> Verdict:
        """Back to pending after the backoff; past MAX_ATTEMPTS the delivery fails."""
        attempts = claim.attempts + 1
        if attempts >= delivery.MAX_ATTEMPTS:
            return self._kept(self.outbox.mark_failed, claim, Verdict.FAILED, now=now, error=error)
        retry_at = now + delivery.backoff(attempts, key=claim.delivery_uid)
        return self._kept(
            self.outbox.mark_retry, claim, Verdict.RETRIED, now=now, error=error, retry_at=retry_at
        )


def _what(exc: BaseException) -> str:
    """An exception as a stored reason or a log line: its type and first line, no address."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return redact.addresses(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def _unbuildable(exc: errors.DripError) -> str:
    """Why a message cannot be built, for the delivery's record: never the address itself."""
    if isinstance(exc, contacts.BadAddress):
        return f"the recipient's address cannot be mailed: {exc.reason}"
    return redact.addresses(str(exc))


def _not_mailable(check: store.Recheck | None, *, confirming: bool) -> str | None:
    """Why this subscriber must not get the email now (gone, suppressed, their state), or None.

    The opt-in email goes only to a pending subscriber, every step only to an active one. A
    suppressed address may get the opt-in email: it is pending because its owner signed up
    again, and the suppression is lifted only when they confirm."""
    if check is None:
        return "gone"
    wanted = store.SubscriberState.PENDING if confirming else store.SubscriberState.ACTIVE
    if check.state is not wanted:
        return check.state.value  # unsubscribed, bounced, erased: said before "suppressed"
    return "suppressed" if check.suppressed and not confirming else None
