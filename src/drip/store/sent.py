"""The record of a sent delivery, with statements built once per process.

`mark_sent` runs once per email, so building its four statements each time (SQLAlchemy's
construction and cache-key walk) cost about as much as executing them. Here they are built
once, on the Core tables, with bound parameters, and only executed per send. They do what
`outcomes._fence`, `_event`, `_advance` and `outbox.queue` do for any outcome; a test
compares the rows both leave.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from drip.store import models, values

DS, ES = values.DeliveryState, values.EnrollmentState
_D = cast(sa.Table, models.DeliveryRow.__table__)
_E = cast(sa.Table, models.EventRow.__table__)
_ENR = cast(sa.Table, models.EnrollmentRow.__table__)

_FENCE = (
    sa.update(_D)
    .where(
        _D.c.id == sa.bindparam("p_id"),
        _D.c.lease_owner == sa.bindparam("p_owner"),
        _D.c.state == DS.SENDING,
    )
    .values(
        state=DS.SENT,
        sent_at=sa.bindparam("p_now"),
        message_id=sa.bindparam("p_message_id"),
        lease_expires_at=None,
    )
    .returning(_D.c.subscriber_id, _D.c.sequence, _D.c.step_id)
)
_EVENT = sa.insert(_E).values(
    subscriber_id=sa.bindparam("p_subscriber"),
    kind=values.EventKind.SENT,
    at=sa.bindparam("p_now"),
    sequence=sa.bindparam("p_sequence"),
    step_id=sa.bindparam("p_step"),
    detail=None,
)
_MINE = sa.and_(
    _ENR.c.subscriber_id == sa.bindparam("p_subscriber"),
    _ENR.c.sequence == sa.bindparam("p_sequence"),
)
_ADVANCE = (
    sa.update(_ENR)
    .where(_MINE)
    .values(updated_at=sa.bindparam("p_now"), last_step_id=sa.bindparam("p_step"))
    .returning(_ENR.c.state)
)
_COMPLETE = sa.update(_ENR).where(_MINE).values(state=ES.COMPLETED)


@functools.cache
def _queue(dialect: str) -> sa.Insert:
    """`outbox.queue` as one statement: a pending delivery, or a cancelled one revived."""
    insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(_D)
    built: sa.Insert = insert.values(
        uid=sa.bindparam("p_uid"),
        subscriber_id=sa.bindparam("p_subscriber"),
        sequence=sa.bindparam("p_sequence"),
        step_id=sa.bindparam("p_next_step"),
        due_at=sa.bindparam("p_due_at"),
        state=DS.PENDING,
        attempts=0,
        created_at=sa.bindparam("p_now"),
    ).on_conflict_do_update(
        index_elements=["subscriber_id", "sequence", "step_id"],
        set_={
            "state": DS.PENDING,
            "due_at": insert.excluded.due_at,
            "attempts": 0,
            "last_error": None,
        },
        where=_D.c.state == DS.CANCELLED,
    )
    return built


# PostgreSQL: the same record as one statement, run in autocommit (a statement is its own
# transaction): one round trip instead of seven (BEGIN, SET LOCAL, the four statements,
# COMMIT). Its parts see one snapshot, so `was` reads the enrollment as it was before `moved`
# changes it, as `record` does by reading `_ADVANCE`'s RETURNING. `set_config(..., true)` is
# SET LOCAL for this statement's transaction: its commit does not wait for the disk.
_AT_ONCE = (
    sa.text(
        f"""
WITH fenced AS (
    UPDATE deliveries
    SET state = '{DS.SENT.value}', sent_at = :p_now, message_id = :p_message_id,
        lease_expires_at = NULL
    WHERE id = :p_id AND lease_owner = :p_owner AND state = '{DS.SENDING.value}'
    RETURNING subscriber_id, sequence, step_id
), logged AS (
    INSERT INTO events (subscriber_id, kind, at, sequence, step_id, detail)
    SELECT subscriber_id, '{values.EventKind.SENT.value}', :p_now, sequence, step_id, NULL
    FROM fenced
), was AS (
    SELECT e.state FROM enrollments e
    JOIN fenced f ON e.subscriber_id = f.subscriber_id AND e.sequence = f.sequence
), moved AS (
    UPDATE enrollments e
    SET updated_at = :p_now, last_step_id = f.step_id,
        state = CASE
            WHEN e.state = '{ES.ACTIVE.value}' AND CAST(:p_next_step AS VARCHAR) IS NULL
            THEN '{ES.COMPLETED.value}' ELSE e.state END
    FROM fenced f
    WHERE e.subscriber_id = f.subscriber_id AND e.sequence = f.sequence
), queued AS (
    INSERT INTO deliveries
        (uid, subscriber_id, sequence, step_id, due_at, state, attempts, created_at)
    SELECT :p_uid, f.subscriber_id, f.sequence, :p_next_step, :p_due_at,
        '{DS.PENDING.value}', 0, :p_now
    FROM fenced f, was
    WHERE was.state = '{ES.ACTIVE.value}' AND CAST(:p_next_step AS VARCHAR) IS NOT NULL
    ON CONFLICT (subscriber_id, sequence, step_id) DO UPDATE
    SET state = '{DS.PENDING.value}', due_at = excluded.due_at, attempts = 0, last_error = NULL
    WHERE deliveries.state = '{DS.CANCELLED.value}'
)
SELECT (SELECT count(*) FROM fenced) AS fenced,
       set_config('synchronous_commit', 'off', true) AS synchronous_commit
"""
    )
    .bindparams(
        sa.bindparam("p_now", type_=models.UTCDateTime()),
        sa.bindparam("p_due_at", type_=models.UTCDateTime()),
        sa.bindparam("p_next_step", type_=sa.String()),
    )
    .columns(fenced=sa.Integer(), synchronous_commit=sa.String())
)


def record_at_once(
    conn: sa.Connection,
    delivery_id: int,
    *,
    owner: str,
    now: datetime,
    message_id: str,
    next: values.Planned | None,
) -> bool:
    """`record` in one statement (PostgreSQL, a connection in autocommit)."""
    params: dict[str, Any] = {
        "p_id": delivery_id,
        "p_owner": owner,
        "p_now": now,
        "p_message_id": message_id,
        "p_uid": uuid.uuid4().hex,
        "p_next_step": None if next is None else next.step_id,
        "p_due_at": None if next is None else next.due_at,
    }
    return bool(conn.execute(_AT_ONCE, params).scalar_one())


def record(
    conn: sa.Connection,
    delivery_id: int,
    *,
    owner: str,
    now: datetime,
    message_id: str,
    next: values.Planned | None,
) -> bool:
    """Fence and mark the delivery sent, log it, move the enrollment on and queue `next` (or
    complete the enrollment); False when the lease was lost (nothing is written then)."""
    fenced = conn.execute(
        _FENCE, {"p_id": delivery_id, "p_owner": owner, "p_now": now, "p_message_id": message_id}
    ).one_or_none()
    if fenced is None:
        return False
    params: dict[str, Any] = {
        "p_subscriber": fenced.subscriber_id,
        "p_sequence": fenced.sequence,
        "p_step": fenced.step_id,
        "p_now": now,
    }
    conn.execute(_EVENT, params)
    state = conn.execute(_ADVANCE, params).scalar_one_or_none()
    if state is ES.ACTIVE and next is not None:
        queued = {**params, "p_uid": uuid.uuid4().hex, "p_next_step": next.step_id}
        conn.execute(_queue(conn.dialect.name), {**queued, "p_due_at": next.due_at})
    elif state is ES.ACTIVE:
        conn.execute(_COMPLETE, params)
    return True
