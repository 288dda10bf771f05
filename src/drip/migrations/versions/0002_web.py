"""The patients' web app: the consent's form version and the confirmation's address, and the
rate limits the web app and the daemon share.

Suppression entries become keyed hashes (HMAC, DRIP_SUPPRESSION_KEY) from here on; the entries
written before, plain SHA-256, cannot be converted (nothing holds the addresses) and are still
honoured when an address is checked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(50), nullable=True))
        batch.add_column(sa.Column("confirmed_ip", sa.String(45), nullable=True))
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("confirmed_ip")
        batch.drop_column("consent_version")
