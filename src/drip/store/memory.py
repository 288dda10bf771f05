"""The dispatcher's Outbox port in memory: the fake shipped beside the SQL store.

    outbox = MemoryOutbox()
    ana = outbox.add_subscriber(email="ana@example.com", timezone="Europe/London")
    outbox.enroll(ana, sequence="muscle-injury", first=Planned(step_id="welcome", due_at=t0))
    dispatcher = Dispatcher(outbox=outbox, ...)

It keeps the promises of the SQL operations it stands in for (one contract test suite runs on
both, `tests/outbox/`): a step is queued once per (subscriber, sequence, step id), claims are
leased oldest first, outcomes are fenced by the lease, a paused subscriber's deliveries wait,
leaving (unsubscribe, bounce) suppresses the address and cancels what is pending. It is for
fast unit tests: single process, a lock instead of transactions, nothing persisted.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from drip import contacts, planning, sequences
from drip.store import values

DS, ES, SS = values.DeliveryState, values.EnrollmentState, values.SubscriberState


@dataclass(kw_only=True)
class _Subscriber:
    id: int
    uid: str
    email: str
    first_name: str
    timezone: str
    state: values.SubscriberState


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """A delivery as the memory outbox holds it (what a test may look at)."""

    id: int
    uid: str
    subscriber_id: int
    sequence: str
    step_id: str
    due_at: datetime
    state: values.DeliveryState
    attempts: int = 0
    last_error: str | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    message_id: str | None = None
    sent_at: datetime | None = None


class MemoryOutbox:
    """Subscribers, enrollments, deliveries and suppressions in dicts; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, _Subscriber] = {}
        self._enrollments: dict[tuple[int, str], values.EnrollmentState] = {}
        self._deliveries: dict[int, Delivery] = {}
        self._suppressed: set[str] = set()

    # --- seeding: what sign-up, confirmation and the state changes do in the SQL store -----
    def add_subscriber(
        self,
        *,
        email: str,
        first_name: str = "",
        timezone: str = "UTC",
        state: values.SubscriberState = SS.ACTIVE,
    ) -> int:
        with self._lock:
            new = len(self._subscribers) + 1
            self._subscribers[new] = _Subscriber(
                id=new,
                uid=uuid.uuid4().hex,
                email=email,
                first_name=first_name,
                timezone=timezone,
                state=state,
            )
            return new

    def enroll(self, subscriber_id: int, *, sequence: str, first: planning.Planned) -> None:
        """Start (or restart) an enrollment and queue its first delivery."""
        with self._lock:
            if sequence != sequences.CONFIRM_SEQUENCE:
                self._enrollments[(subscriber_id, sequence)] = ES.ACTIVE
            self._queue(subscriber_id, sequence, first)

    def stop(self, subscriber_id: int, *, sequence: str) -> None:
        """Stop an enrollment and cancel its pending deliveries (a cause switch does this)."""
        with self._lock:
            if self._enrollments.get((subscriber_id, sequence)) is ES.ACTIVE:
                self._enrollments[(subscriber_id, sequence)] = ES.STOPPED
            for d in list(self._deliveries.values()):
                if (d.subscriber_id, d.sequence, d.state) == (subscriber_id, sequence, DS.PENDING):
                    self._replace(d, state=DS.CANCELLED)

    def set_state(self, subscriber_id: int, state: values.SubscriberState) -> None:
        """Pause, resume, unsubscribe or bounce; leaving suppresses and cancels, as in SQL."""
        with self._lock:
            self._change(self._subscribers[subscriber_id], state)

    def suppress(self, email: str) -> None:
        with self._lock:
            self._suppressed.add(contacts.comparable(email))

    def deliveries(self) -> list[Delivery]:
        """Every delivery, in the order queued."""
        with self._lock:
            return list(self._deliveries.values())

    def subscriber_state(self, subscriber_id: int) -> values.SubscriberState:
        return self._subscribers[subscriber_id].state

    def subscriber_uid(self, subscriber_id: int) -> str:
        return self._subscribers[subscriber_id].uid

    def is_suppressed(self, email: str) -> bool:
        return contacts.comparable(email) in self._suppressed

    # --- the Outbox port ---------------------------------------------------------------
    def claim_due(
        self,
        *,
        now: datetime,
        limit: int,
        owner: str,
        lease_seconds: int,
        lease_from: datetime | None = None,
    ) -> list[values.Claim]:
        expires = (lease_from or now) + timedelta(seconds=lease_seconds)
        with self._lock:
            due = sorted(
                (d for d in self._deliveries.values() if self._claimable(d, now)),
                key=lambda d: (d.due_at, d.id),
            )[:limit]
            claimed = [
                self._replace(d, state=DS.SENDING, lease_owner=owner, lease_expires_at=expires)
                for d in due
            ]
            return [self._claim(d) for d in claimed]

    def release(self, owner: str) -> int:
        with self._lock:
            mine = [
                d
                for d in self._deliveries.values()
                if d.state is DS.SENDING and d.lease_owner == owner
            ]
            for d in mine:
                self._replace(d, state=DS.PENDING, lease_owner=None, lease_expires_at=None)
            return len(mine)

    def rescue_expired(self, *, now: datetime, sparing: str | None = None) -> int:
        with self._lock:
            expired = [
                d
                for d in self._deliveries.values()
                if d.state is DS.SENDING
                and d.lease_expires_at is not None
                and d.lease_expires_at < now
                and (sparing is None or d.lease_owner != sparing)
            ]
            for d in expired:
                self._replace(d, state=DS.PENDING, lease_owner=None, lease_expires_at=None)
            return len(expired)

    def recheck(self, subscriber_id: int) -> values.Recheck | None:
        with self._lock:
            return self._recheck(subscriber_id)

    def rechecks(self, subscriber_ids: Collection[int]) -> dict[int, values.Recheck]:
        with self._lock:
            found = {sid: self._recheck(sid) for sid in set(subscriber_ids)}
        return {sid: check for sid, check in found.items() if check is not None}

    def _recheck(self, subscriber_id: int) -> values.Recheck | None:
        found = self._subscribers.get(subscriber_id)
        if found is None:
            return None
        sent = frozenset(
            (d.sequence, d.step_id)
            for d in self._deliveries.values()
            if d.subscriber_id == subscriber_id and d.state is DS.SENT
        )
        suppressed = contacts.comparable(found.email) in self._suppressed
        return values.Recheck(state=found.state, suppressed=suppressed, sent=sent)

    def standing(self, subscriber_id: int, email: str) -> values.Standing | None:
        with self._lock:
            found = self._subscribers.get(subscriber_id)
            if found is None or found.email != email:
                return None
            suppressed = contacts.comparable(email) in self._suppressed
            return values.Standing(state=found.state, suppressed=suppressed)

    def mark_sent(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        message_id: str,
        next: planning.Planned | None,
    ) -> bool:
        with self._lock:
            row = self._fence(delivery_id, owner, state=DS.SENT, sent_at=now, message_id=message_id)
            if row is not None:
                self._advance(row, next)
            return row is not None

    def mark_retry(
        self, delivery_id: int, *, owner: str, now: datetime, error: str, retry_at: datetime
    ) -> bool:
        with self._lock:
            attempts = self._attempts(delivery_id) + 1
            changes = {"due_at": retry_at, "attempts": attempts, "last_error": error}
            return self._fence(delivery_id, owner, state=DS.PENDING, **changes) is not None

    def defer(
        self, delivery_id: int, *, owner: str, due_at: datetime, reason: str | None = None
    ) -> bool:
        changes: dict[str, Any] = {"due_at": due_at}
        if reason is not None:
            changes["last_error"] = reason
        with self._lock:
            return self._fence(delivery_id, owner, state=DS.PENDING, **changes) is not None

    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        with self._lock:
            attempts = self._attempts(delivery_id) + 1
            failed = self._fence(
                delivery_id, owner, state=DS.FAILED, attempts=attempts, last_error=error
            )
            return failed is not None

    def mark_bounced(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        with self._lock:
            attempts = self._attempts(delivery_id) + 1
            row = self._fence(
                delivery_id, owner, state=DS.FAILED, attempts=attempts, last_error=error
            )
            if row is not None:
                self._change(self._subscribers[row.subscriber_id], SS.BOUNCED)
            return row is not None

    def mark_suppressed(self, delivery_id: int, *, owner: str, now: datetime, reason: str) -> bool:
        with self._lock:
            return (
                self._fence(delivery_id, owner, state=DS.SUPPRESSED, last_error=reason) is not None
            )

    def mark_skipped(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        reason: str,
        next: planning.Planned | None,
    ) -> bool:
        with self._lock:
            row = self._fence(delivery_id, owner, state=DS.CANCELLED, last_error=reason)
            if row is not None:
                self._advance(row, next)
            return row is not None

    # --- inside the lock ---------------------------------------------------------------
    def _claimable(self, d: Delivery, now: datetime) -> bool:
        if d.state is not DS.PENDING or d.due_at > now:
            return False
        state = self._subscribers[d.subscriber_id].state
        waiting = state is SS.PAUSED or (
            state is SS.PENDING and d.sequence != sequences.CONFIRM_SEQUENCE
        )
        return not waiting

    def _claim(self, d: Delivery) -> values.Claim:
        who = self._subscribers[d.subscriber_id]
        assert d.lease_owner is not None and d.lease_expires_at is not None
        return values.Claim(
            delivery_id=d.id,
            delivery_uid=d.uid,
            subscriber_id=who.id,
            subscriber_uid=who.uid,
            email=who.email,
            first_name=who.first_name,
            timezone=who.timezone,
            state=who.state,
            sequence=d.sequence,
            step_id=d.step_id,
            due_at=d.due_at,
            attempts=d.attempts,
            lease_owner=d.lease_owner,
            lease_expires_at=d.lease_expires_at,
        )

    def _replace(self, d: Delivery, **changes: Any) -> Delivery:
        new = dataclasses.replace(d, **changes)
        self._deliveries[d.id] = new
        return new

    def _attempts(self, delivery_id: int) -> int:
        found = self._deliveries.get(delivery_id)
        return 0 if found is None else found.attempts

    def _fence(self, delivery_id: int, owner: str, **changes: Any) -> Delivery | None:
        found = self._deliveries.get(delivery_id)
        if found is None or found.lease_owner != owner or found.state is not DS.SENDING:
            return None
        lease_owner = None if changes.get("state") is DS.PENDING else found.lease_owner
        return self._replace(found, lease_expires_at=None, lease_owner=lease_owner, **changes)

    def _queue(self, subscriber_id: int, sequence: str, planned: planning.Planned) -> None:
        existing = next(
            (
                d
                for d in self._deliveries.values()
                if (d.subscriber_id, d.sequence, d.step_id)
                == (subscriber_id, sequence, planned.step_id)
            ),
            None,
        )
        if existing is not None:
            if existing.state is DS.CANCELLED:  # a cancelled step may be queued again
                self._replace(
                    existing, state=DS.PENDING, due_at=planned.due_at, attempts=0, last_error=None
                )
            return
        new = max(self._deliveries, default=0) + 1
        self._deliveries[new] = Delivery(
            id=new,
            uid=uuid.uuid4().hex,
            subscriber_id=subscriber_id,
            sequence=sequence,
            step_id=planned.step_id,
            due_at=planned.due_at,
            state=DS.PENDING,
        )

    def _advance(self, row: Delivery, next: planning.Planned | None) -> None:
        key = (row.subscriber_id, row.sequence)
        if self._enrollments.get(key) is not ES.ACTIVE:
            return  # the opt-in email, or an enrollment stopped meanwhile
        if next is not None:
            self._queue(row.subscriber_id, row.sequence, next)
        else:
            self._enrollments[key] = ES.COMPLETED

    def _change(self, who: _Subscriber, state: values.SubscriberState) -> None:
        who.state = state
        if state in (SS.UNSUBSCRIBED, SS.BOUNCED):
            self._suppressed.add(contacts.comparable(who.email))
            for d in list(self._deliveries.values()):
                if d.subscriber_id == who.id and d.state is DS.PENDING:
                    self._replace(d, state=DS.CANCELLED)
            for key, enrolled in list(self._enrollments.items()):
                if key[0] == who.id and enrolled is ES.ACTIVE:
                    self._enrollments[key] = ES.STOPPED
