"""The record of a sent delivery on PostgreSQL: one statement, built once per process.

`mark_sent` runs once per email. It does what `outcomes._fence`, `_event`, `_advance` and
`outbox.queue` do for any outcome, in one statement run in autocommit, so one round trip to
the server; SQLite's counterpart is `driver.record_sent`. A test compares the rows each leaves
with the generic outcome path (tests/store/test_marks.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drip.store import models, values

DS, ES = values.DeliveryState, values.EnrollmentState

# The record as one statement, run in autocommit (a statement is its own transaction): one
# round trip instead of seven (BEGIN, SET LOCAL, the four statements, COMMIT). Its parts see
# one snapshot, so `was` reads the enrollment as it was before `moved` changes it: the next
# step is queued only if the enrollment was active. `set_config(..., true)` is SET LOCAL for
# this statement's transaction: its commit does not wait for the disk.
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
