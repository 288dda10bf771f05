"""Tables. Migrations in drip/migrations must match these (a test compares them).

Statuses are stored as their Enum values in VARCHAR columns with CHECK constraints rather than
native PostgreSQL enums: adding a state later is then a plain migration on both databases.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from drip.store import values

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every backend (SQLite keeps no offset: attach it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store (use aware UTC)")
        value = value.astimezone(UTC)
        # SQLite compares datetimes as text: store one naive UTC form so comparisons hold.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(kind: type[enum.Enum], name: str) -> sa.Enum:
    return sa.Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class SubscriberRow(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    email_normalised: Mapped[str] = mapped_column(sa.String(320), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    cause: Mapped[str] = mapped_column(sa.String(100))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[values.SubscriberState] = mapped_column(
        _enum(values.SubscriberState, "subscriber_state")
    )
    consent_at: Mapped[datetime]
    consent_source: Mapped[str] = mapped_column(sa.String(200))
    consent_text: Mapped[str] = mapped_column(sa.Text)
    consent_ip: Mapped[str | None] = mapped_column(sa.String(45))
    consent_version: Mapped[str | None] = mapped_column(sa.String(50))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_ip: Mapped[str | None] = mapped_column(sa.String(45))
    updated_at: Mapped[datetime]


class EnrollmentRow(Base):
    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribers.id", ondelete="CASCADE"))
    sequence: Mapped[str] = mapped_column(sa.String(100))
    state: Mapped[values.EnrollmentState] = mapped_column(
        _enum(values.EnrollmentState, "enrollment_state")
    )
    last_step_id: Mapped[str | None] = mapped_column(sa.String(100))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscriber_id", "sequence", "step_id"),
        # Claims read due rows in (due_at, id) order: the index gives it, ties and all (0005).
        sa.Index("ix_deliveries_state_due_at_id", "state", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribers.id", ondelete="CASCADE"))
    sequence: Mapped[str] = mapped_column(sa.String(100))
    step_id: Mapped[str] = mapped_column(sa.String(100))
    due_at: Mapped[datetime]
    state: Mapped[values.DeliveryState] = mapped_column(
        _enum(values.DeliveryState, "delivery_state")
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(200))
    lease_expires_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(sa.String(250))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    bounced_at: Mapped[datetime | None]  # the mailbox does not exist (5.1.x): failed, bounced


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_subscriber_id_at", "subscriber_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscribers.id", ondelete="SET NULL")
    )
    kind: Mapped[values.EventKind] = mapped_column(_enum(values.EventKind, "event_kind"))
    at: Mapped[datetime]
    sequence: Mapped[str | None] = mapped_column(sa.String(100))
    step_id: Mapped[str | None] = mapped_column(sa.String(100))
    detail: Mapped[str | None] = mapped_column(sa.String(500))


class RateLimitRow(Base):
    """A fixed-window counter (sign-ups per address or per client): kept in the database so
    that every web process and the daemon count together."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    window_start: Mapped[datetime]
    hits: Mapped[int]


class PauseRow(Base):
    """Sending stopped for every worker until `until`: a relay refused us by policy (5.7.x),
    or an operator ran `drip pause`. Kept here, not in a process, so that a restart or another
    worker does not resume at once."""

    __tablename__ = "pauses"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # "sending"
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    paused_by: Mapped[str] = mapped_column(sa.String(200))
    paused_at: Mapped[datetime]


class SuppressionRow(Base):
    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    reason: Mapped[values.SuppressionReason] = mapped_column(
        _enum(values.SuppressionReason, "suppression_reason")
    )
    at: Mapped[datetime]


class TrackedLinkRow(Base):
    """A link of a tracked email, by its id (a hash of the URL): a click redirect goes only to
    a URL drip itself put in an email (DRIP_TRACKING=on)."""

    __tablename__ = "tracked_links"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class TrackingHitRow(Base):
    """One open or click of a delivery (DRIP_TRACKING=on); deleted with the delivery."""

    __tablename__ = "tracking_hits"
    __table_args__ = (sa.Index("ix_tracking_hits_delivery_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("deliveries.id", ondelete="CASCADE"))
    kind: Mapped[values.TrackingKind] = mapped_column(_enum(values.TrackingKind, "tracking_kind"))
    link_id: Mapped[str | None] = mapped_column(sa.String(16))
    at: Mapped[datetime]
