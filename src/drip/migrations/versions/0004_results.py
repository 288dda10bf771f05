"""Results: when a delivery bounced, and (only with DRIP_TRACKING=on) opens and clicks.

`deliveries.bounced_at` tells a bounce (5.1.x: the mailbox does not exist) from any other
failure, for `drip stats`; bounces recorded before this version count as failures.
`tracked_links` holds each link of a tracked email by its id (a hash of the URL), so that a
click redirect goes only where drip's own email pointed; `tracking_hits` holds one row per
open or click of a delivery, deleted with it (erasure deletes a patient's deliveries).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS = ["opened", "clicked"]
_KIND = sa.Enum(*KINDS, name="tracking_kind", native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "tracked_links",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tracking_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "delivery_id",
            sa.Integer(),
            sa.ForeignKey("deliveries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", _KIND, nullable=False),
        sa.Column("link_id", sa.String(16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tracking_hits_delivery_id", "tracking_hits", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_tracking_hits_delivery_id", "tracking_hits")
    op.drop_table("tracking_hits")
    op.drop_table("tracked_links")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("bounced_at")
