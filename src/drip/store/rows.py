"""Small helpers shared by the operation groups: row → value, event append, upserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from drip.store import models, values

DETAIL_MAX = 500  # an event's detail is cut to its column


def insert(conn: sa.Connection, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows ON CONFLICT on both backends."""
    return sqlite.insert(table) if conn.dialect.name == "sqlite" else postgresql.insert(table)


def add_event(
    conn: sa.Connection,
    subscriber_id: int | None,
    kind: values.EventKind,
    *,
    now: datetime,
    sequence: str | None = None,
    step_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Append to the event log. `detail` is cut to the column's length."""
    conn.execute(
        sa.insert(models.EventRow).values(
            subscriber_id=subscriber_id,
            kind=kind,
            at=now,
            sequence=sequence,
            step_id=step_id,
            detail=None if detail is None else detail[:DETAIL_MAX],
        )
    )


def suppress(
    conn: sa.Connection,
    hashes: values.AddressHash,
    email: str,
    reason: values.SuppressionReason,
    *,
    now: datetime,
) -> None:
    """Add a suppression; an existing one keeps its reason unless the new one is erasure."""
    stmt = insert(conn, models.SuppressionRow).values(
        email_hash=hashes.of(email), reason=reason, at=now
    )
    if reason is values.SuppressionReason.ERASED:
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["email_hash"], set_={"reason": reason})
        )
    else:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["email_hash"]))


def suppression_reason(
    conn: sa.Connection, hashes: values.AddressHash, email: str
) -> values.SuppressionReason | None:
    query = sa.select(models.SuppressionRow.reason).where(
        models.SuppressionRow.email_hash.in_(hashes.candidates(email))
    )
    reason: values.SuppressionReason | None = conn.execute(query).scalars().first()
    return reason


def lift_suppression(conn: sa.Connection, hashes: values.AddressHash, email: str) -> None:
    """The person opted in again, by double opt-in: their suppression goes."""
    conn.execute(
        sa.delete(models.SuppressionRow).where(
            models.SuppressionRow.email_hash.in_(hashes.candidates(email))
        )
    )


def to_subscriber(row: Any) -> values.Subscriber:
    return values.Subscriber(
        id=row.id,
        uid=row.uid,
        email=row.email,
        first_name=row.first_name,
        cause=row.cause,
        timezone=row.timezone,
        state=row.state,
        consent=values.Consent(
            at=row.consent_at,
            source=row.consent_source,
            text=row.consent_text,
            ip=row.consent_ip,
            version=row.consent_version,
        ),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        updated_at=row.updated_at,
        confirmed_ip=row.confirmed_ip,
    )


def to_event(row: Any) -> values.Event:
    return values.Event(
        id=row.id,
        subscriber_id=row.subscriber_id,
        kind=row.kind,
        at=row.at,
        sequence=row.sequence,
        step_id=row.step_id,
        detail=row.detail,
    )
