"""Initial schema: subscribers, enrollments, the deliveries outbox, events, suppressions.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _state(name: str, constraint: str, states: list[str]) -> sa.Column[object]:
    kind = sa.Enum(*states, name=constraint, native_enum=False, create_constraint=True, length=16)
    return sa.Column(name, kind, nullable=False)


SUBSCRIBER = ["pending", "active", "paused", "unsubscribed", "bounced", "erased"]
ENROLLMENT = ["active", "completed", "stopped"]
DELIVERY = ["pending", "sending", "sent", "failed", "suppressed", "cancelled"]
EVENT = [
    "subscribed", "confirmed", "enrolled", "sent", "failed", "retried", "suppressed",
    "unsubscribed", "paused", "resumed", "cause_changed", "erased", "imported",
]  # fmt: skip
SUPPRESSION = ["unsubscribed", "bounced", "complained", "erased", "manual"]


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_normalised", sa.String(320), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("cause", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        _state("state", "subscriber_state", SUBSCRIBER),
        _when("consent_at"),
        sa.Column("consent_source", sa.String(200), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consent_ip", sa.String(45), nullable=True),
        _when("created_at"),
        _when("confirmed_at", nullable=True),
        _when("updated_at"),
        sa.UniqueConstraint("uid"),
        sa.UniqueConstraint("email_normalised"),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "subscriber_id",
            sa.Integer(),
            sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sequence", sa.String(100), nullable=False),
        _state("state", "enrollment_state", ENROLLMENT),
        sa.Column("last_step_id", sa.String(100), nullable=True),
        _when("started_at"),
        _when("updated_at"),
        sa.UniqueConstraint("subscriber_id", "sequence"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column(
            "subscriber_id",
            sa.Integer(),
            sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sequence", sa.String(100), nullable=False),
        sa.Column("step_id", sa.String(100), nullable=False),
        _when("due_at"),
        _state("state", "delivery_state", DELIVERY),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        _when("lease_expires_at", nullable=True),
        sa.Column("message_id", sa.String(250), nullable=True),
        _when("sent_at", nullable=True),
        _when("created_at"),
        sa.UniqueConstraint("uid"),
        sa.UniqueConstraint("subscriber_id", "sequence", "step_id"),
    )
    op.create_index("ix_deliveries_state_due_at", "deliveries", ["state", "due_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "subscriber_id",
            sa.Integer(),
            sa.ForeignKey("subscribers.id", ondelete="SET NULL"),
            nullable=True,
        ),
        _state("kind", "event_kind", EVENT),
        _when("at"),
        sa.Column("sequence", sa.String(100), nullable=True),
        sa.Column("step_id", sa.String(100), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
    )
    op.create_index("ix_events_subscriber_id_at", "events", ["subscriber_id", "at"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email_hash", sa.String(64), nullable=False),
        _state("reason", "suppression_reason", SUPPRESSION),
        _when("at"),
        sa.UniqueConstraint("email_hash"),
    )


def downgrade() -> None:
    for table in ("suppressions", "events", "deliveries", "enrollments", "subscribers"):
        op.drop_table(table)
