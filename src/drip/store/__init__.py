"""Persistence: SQLAlchemy tables, Alembic migrations and the `Store` port.

Nothing outside this package sees an ORM object or a session: operations return the frozen
values below.
"""

from __future__ import annotations

from drip.store.base import transient
from drip.store.imports import NewSubscriber
from drip.store.memory import MemoryOutbox
from drip.store.store import Store
from drip.store.values import (
    CONFIRM_SEQUENCE,
    CONFIRM_STEP,
    AddressHash,
    AlreadySubscribed,
    Claim,
    Consent,
    DeliveryRecord,
    DeliveryState,
    EnrollmentState,
    Event,
    EventKind,
    History,
    Hit,
    Pause,
    Planned,
    Position,
    Reason,
    Recheck,
    SignUp,
    SignUpOutcome,
    Standing,
    Start,
    Status,
    StepResult,
    Subscriber,
    SubscriberState,
    Suppressed,
    SuppressionReason,
    TrackingKind,
)

__all__ = [
    "CONFIRM_SEQUENCE",
    "CONFIRM_STEP",
    "AddressHash",
    "AlreadySubscribed",
    "Claim",
    "Consent",
    "DeliveryRecord",
    "DeliveryState",
    "EnrollmentState",
    "Event",
    "EventKind",
    "History",
    "Hit",
    "MemoryOutbox",
    "NewSubscriber",
    "Pause",
    "Planned",
    "Position",
    "Reason",
    "Recheck",
    "SignUp",
    "SignUpOutcome",
    "Standing",
    "Start",
    "Status",
    "StepResult",
    "Store",
    "Subscriber",
    "SubscriberState",
    "Suppressed",
    "SuppressionReason",
    "TrackingKind",
    "transient",
]
