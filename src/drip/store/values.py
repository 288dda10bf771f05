"""The values the store hands out: frozen dataclasses and Enums, never ORM objects.

What "the same address" means (for uniqueness, look-ups and suppression hashes) is
`drip.contacts.comparable`: the store is handed addresses already checked at the door.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from drip import contacts, errors, planning, sequences

CONFIRM_SEQUENCE = sequences.CONFIRM_SEQUENCE
CONFIRM_STEP = sequences.CONFIRM_STEP


class SubscriberState(enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    ERASED = "erased"


class EnrollmentState(enum.Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


class DeliveryState(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"


class EventKind(enum.Enum):
    SUBSCRIBED = "subscribed"
    CONFIRMED = "confirmed"
    ENROLLED = "enrolled"
    SENT = "sent"
    FAILED = "failed"
    RETRIED = "retried"
    SUPPRESSED = "suppressed"
    UNSUBSCRIBED = "unsubscribed"
    PAUSED = "paused"
    RESUMED = "resumed"
    CAUSE_CHANGED = "cause_changed"
    ERASED = "erased"
    IMPORTED = "imported"


class TrackingKind(enum.Enum):
    """What a tracked email told (only with DRIP_TRACKING=on)."""

    OPENED = "opened"  # its open pixel was fetched
    CLICKED = "clicked"  # one of its links was followed


class SuppressionReason(enum.Enum):
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    ERASED = "erased"
    MANUAL = "manual"


class AlreadySubscribed(errors.InvalidInput):
    """This address is already subscribed."""

    def __init__(self, email: str, state: SubscriberState) -> None:
        super().__init__(
            f"{email!r} is already subscribed (state: {state.value}); "
            "use the preferences page to change the cause or resume"
        )
        self.state = state


class Suppressed(errors.InvalidInput):
    """This address is on the suppression list."""

    def __init__(self, email: str, reason: SuppressionReason) -> None:
        super().__init__(
            f"{email!r} is on the suppression list ({reason.value}); "
            "it can only subscribe again if the suppression is lifted"
        )
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class Consent:
    """What the person agreed to: when, on which form (and its version), the exact wording
    shown, from which address."""

    source: str
    text: str
    ip: str | None = None
    at: datetime | None = None  # None: consent given at sign-up (the `now` of add_subscriber)
    version: str | None = None


# The next delivery to queue (a step and when it is due): the planner's own value.
Planned = planning.Planned


@dataclass(frozen=True, kw_only=True)
class Recheck:
    """What the dispatcher reads again at send time, in one go: is the subscriber still
    reachable, and what were they already sent (in every sequence)."""

    state: SubscriberState
    suppressed: bool
    sent: frozenset[tuple[str, str]]  # (sequence, step id)

    @property
    def standing(self) -> Standing:
        return Standing(state=self.state, suppressed=self.suppressed)


@dataclass(frozen=True, kw_only=True)
class Standing:
    """The part of a `Recheck` an unsubscribe or a suppression changes: read once more just
    before a send whose checks were made while the previous email was in flight."""

    state: SubscriberState
    suppressed: bool


@dataclass(frozen=True, kw_only=True)
class Start:
    """A subscriber's first delivery, queued in the same transaction as the state change that
    calls for it: the opt-in email of a sign-up, or the first step of an enrollment."""

    sequence: str
    first: Planned

    @classmethod
    def confirmation(cls, due_at: datetime) -> Start:
        return cls(sequence=CONFIRM_SEQUENCE, first=Planned(step_id=CONFIRM_STEP, due_at=due_at))


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    id: int
    uid: str
    email: str
    first_name: str
    cause: str
    timezone: str
    state: SubscriberState
    consent: Consent
    created_at: datetime
    confirmed_at: datetime | None
    updated_at: datetime
    confirmed_ip: str | None = None


class SignUpOutcome(enum.Enum):
    """What a web sign-up did (for tests and counts; the visitor is told the same either way)."""

    NEW = "new"  # a new pending subscriber, the opt-in email queued
    UPDATED = "updated"  # still pending: the answers updated, the opt-in email queued again
    REJOINED = "rejoined"  # had left (unsubscribed, bounced): pending again, opt-in queued
    KNOWN = "known"  # already confirmed: nothing changed, nothing sent


@dataclass(frozen=True, kw_only=True)
class SignUp:
    subscriber: Subscriber
    outcome: SignUpOutcome
    confirmation_queued: bool


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A delivery claimed for sending, with what the sender needs about the subscriber."""

    delivery_id: int
    delivery_uid: str  # stable across retries: the Message-ID is derived from it
    subscriber_id: int
    subscriber_uid: str
    email: str
    first_name: str
    timezone: str
    state: SubscriberState
    sequence: str
    step_id: str
    due_at: datetime
    attempts: int
    lease_owner: str
    lease_expires_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        """(sequence, step id): what this delivery sends."""
        return (self.sequence, self.step_id)


@dataclass(frozen=True, kw_only=True)
class Event:
    id: int
    subscriber_id: int | None
    kind: EventKind
    at: datetime
    sequence: str | None
    step_id: str | None
    detail: str | None


@dataclass(frozen=True, kw_only=True)
class Status:
    """Counts for `drip status` and the metrics endpoint."""

    subscribers: dict[SubscriberState, int]
    deliveries: dict[DeliveryState, int]
    due_now: int
    held: int  # pending deliveries of paused subscribers: kept, sent after resume
    next_due: datetime | None  # earliest pending delivery that a worker may claim
    oldest_due: datetime | None = None  # the longest-waiting delivery due now: the queue's lag
    leases_expired: int = 0  # claimed by a worker that died: waiting for the rescue
    reasons: tuple[Reason, ...] = ()  # why deliveries failed or are being retried, most first

    def to_json(self) -> dict[str, object]:
        """Plain JSON-ready values (`drip status --json`, the metrics endpoint)."""
        return {
            "subscribers": {state.value: n for state, n in self.subscribers.items()},
            "deliveries": {state.value: n for state, n in self.deliveries.items()},
            "due_now": self.due_now,
            "held": self.held,
            "next_due": None if self.next_due is None else self.next_due.isoformat(),
            "oldest_due": None if self.oldest_due is None else self.oldest_due.isoformat(),
            "leases_expired": self.leases_expired,
            "reasons": [r.to_json() for r in self.reasons],
        }

    def describe(self) -> str:
        """A few human lines for `drip status`."""

        def counts(found: dict[SubscriberState, int] | dict[DeliveryState, int]) -> str:
            return ", ".join(f"{state.value} {n}" for state, n in found.items() if n) or "none"

        next_due = "nothing queued" if self.next_due is None else self.next_due.isoformat()
        lines = [
            f"subscribers: {counts(self.subscribers)}",
            f"deliveries:  {counts(self.deliveries)}",
            f"due now:     {self.due_now} (held for paused subscribers: {self.held})",
            f"next due:    {next_due}",
        ]
        if self.leases_expired:
            lines.append(
                f"expired:     {self.leases_expired} claimed by a worker that stopped; "
                "`drip run` or `drip tick` rescues them"
            )
        lines += [f"{r.kind + ':':<12} {r.count} × {r.reason}" for r in self.reasons]
        return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class Pause:
    """Sending stopped for every worker until `until` (aware UTC), and why."""

    until: datetime
    reason: str
    paused_by: str
    paused_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "until": self.until.isoformat(),
            "reason": self.reason,
            "paused_by": self.paused_by,
            "paused_at": self.paused_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class Reason:
    """How many deliveries failed (`failed`), wait to be tried again (`retrying`) or were moved
    to a later time (`moved`) for one reason, as the mail server or drip gave it (addresses
    already redacted)."""

    kind: str
    reason: str
    count: int

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "reason": self.reason, "count": self.count}


@dataclass(frozen=True, kw_only=True)
class Hit:
    """An open or a click of a delivery (DRIP_TRACKING=on)."""

    kind: TrackingKind
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DeliveryRecord:
    """One delivery of a patient, as `drip lookup` shows it."""

    sequence: str
    step_id: str
    state: DeliveryState
    due_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None  # why it failed, was held or was not sent
    bounced_at: datetime | None
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True, kw_only=True)
class History:
    """What drip holds about one subscriber, for staff (`drip lookup`)."""

    subscriber: Subscriber
    suppressed: SuppressionReason | None
    deliveries: tuple[DeliveryRecord, ...]
    events: tuple[Event, ...]


@dataclass(frozen=True, kw_only=True)
class StepResult:
    """How one step did, over every patient (`drip stats`): counts only."""

    sequence: str
    step_id: str
    sent: int = 0
    failed: int = 0  # for good, other than a bounce
    bounced: int = 0  # the mailbox does not exist
    suppressed: int = 0  # not sent: the patient had left, or the address is suppressed
    unsubscribed: int = 0  # patients whose last email before unsubscribing was this one
    opened: int = 0  # deliveries opened at least once (DRIP_TRACKING=on)
    clicked: int = 0  # deliveries with a link followed at least once (DRIP_TRACKING=on)


@dataclass(frozen=True)
class AddressHash:
    """All a suppression keeps of a person: a keyed hash (HMAC-SHA256, a key of its own) of the
    comparable address. A plain hash would let anyone holding the database and a list of
    addresses test who was a patient; without the key, the hashes say nothing."""

    key: str = field(repr=False)

    def of(self, email: str) -> str:
        if not self.key:
            raise errors.ConfigError(
                "no suppression key is configured: make one with `drip secret new` and set "
                "DRIP_SUPPRESSION_KEY (or DRIP_SUPPRESSION_KEY_FILE); never change it afterwards"
            )
        address = contacts.comparable(email).encode("utf-8")
        return hmac.new(self.key.encode("utf-8"), address, hashlib.sha256).hexdigest()

    def candidates(self, email: str) -> tuple[str, str]:
        """The keyed hash, and the plain SHA-256 drip wrote before version 0002: honoured."""
        legacy = hashlib.sha256(contacts.comparable(email).encode("utf-8")).hexdigest()
        return self.of(email), legacy


@dataclass(frozen=True, kw_only=True)
class Position:
    """Where `count` patients enrolled in `sequence` stand (`drip plan`): every (sequence,
    step id) they were sent, the step queued for them in this sequence (None: nothing is),
    and whether they are paused."""

    sequence: str
    sent: frozenset[tuple[str, str]]
    queued: str | None
    paused: bool
    count: int = 1
