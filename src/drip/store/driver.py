"""The two statements of every email on SQLite, run on the driver's own connection.

Each email costs one read just before its send (`standing`) and one write after it (the
record of the send: fence, event, enrollment, next step). Through SQLAlchemy a statement costs
about 80 µs of Python and a transaction about 150 µs more, against about 5 µs and 20 µs on the
sqlite3 connection itself (measured: benchmarks/README.md, "The store's hot paths"); with no
network in between, that overhead was most of the cost of an email's database work. So these
two run as plain SQL on the pooled DBAPI connection, with what SQLAlchemy would do kept:

- values are converted by SQLAlchemy's own bind processor for the column type (`UTCDateTime`),
  so the stored text is the same byte for byte, and statuses are the enums' values;
- the write runs under `BEGIN IMMEDIATE` with `synchronous=NORMAL`, as `base._write_lazily`
  (the connection's setting is tracked in the same place, `base.sync_for`);
- a driver error is raised as SQLAlchemy's exception for it, so that `store.transient` and the
  dispatcher read a locked database the same way, whichever path met it.

`sent.record_at_once` is PostgreSQL's counterpart (one statement, one round trip). A test
compares the rows each path leaves with the generic outcome path (tests/store/test_marks.py).
"""

from __future__ import annotations

import functools
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drip.store import base, models, values

DS, ES, SS = values.DeliveryState, values.EnrollmentState, values.SubscriberState

_FENCE = f"""
UPDATE deliveries SET state = '{DS.SENT.value}', sent_at = ?, message_id = ?,
    lease_expires_at = NULL
WHERE id = ? AND lease_owner = ? AND state = '{DS.SENDING.value}'
RETURNING subscriber_id, sequence, step_id"""
_EVENT = f"""
INSERT INTO events (subscriber_id, kind, at, sequence, step_id, detail)
VALUES (?, '{values.EventKind.SENT.value}', ?, ?, ?, NULL)"""
_ADVANCE = """
UPDATE enrollments SET updated_at = ?, last_step_id = ?
WHERE subscriber_id = ? AND sequence = ?
RETURNING state"""
_QUEUE = f"""
INSERT INTO deliveries (uid, subscriber_id, sequence, step_id, due_at, state, attempts, created_at)
VALUES (?, ?, ?, ?, ?, '{DS.PENDING.value}', 0, ?)
ON CONFLICT (subscriber_id, sequence, step_id) DO UPDATE
SET state = '{DS.PENDING.value}', due_at = excluded.due_at, attempts = 0, last_error = NULL
WHERE deliveries.state = '{DS.CANCELLED.value}'"""
_COMPLETE = f"""
UPDATE enrollments SET state = '{ES.COMPLETED.value}' WHERE subscriber_id = ? AND sequence = ?"""
_STANDING = """
SELECT state, EXISTS (SELECT 1 FROM suppressions WHERE email_hash IN (?, ?))
FROM subscribers WHERE id = ? AND email = ?"""


def record_sent(
    engine: sa.Engine,
    delivery_id: int,
    *,
    owner: str,
    now: datetime,
    message_id: str,
    next: values.Planned | None,
) -> bool:
    """`sent.record_at_once`'s work on SQLite, in one lazily committed transaction; False when
    the lease was lost (nothing is written then)."""
    at = _time_text(engine.dialect)(now)
    with _driver(engine) as (db, info):
        base.sync_for(info, lazy=True, execute=db.execute)
        db.execute("BEGIN IMMEDIATE")
        try:
            fenced = db.execute(_FENCE, (at, message_id, delivery_id, owner)).fetchall()
            if not fenced:
                db.execute("ROLLBACK")
                return False
            [(subscriber, sequence, step)] = fenced
            db.execute(_EVENT, (subscriber, at, sequence, step))
            advanced = db.execute(_ADVANCE, (at, step, subscriber, sequence)).fetchall()
            state = advanced[0][0] if advanced else None
            if state == ES.ACTIVE.value and next is not None:
                due = _time_text(engine.dialect)(next.due_at)
                queued = (uuid.uuid4().hex, subscriber, sequence, next.step_id, due, at)
                db.execute(_QUEUE, queued)
            elif state == ES.ACTIVE.value:
                db.execute(_COMPLETE, (subscriber, sequence))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return True


def standing(
    engine: sa.Engine, hashes: tuple[str, str], subscriber_id: int, email: str
) -> values.Standing | None:
    """`OutboxOps.standing` on SQLite: one SELECT, its own read transaction (autocommit)."""
    with _driver(engine) as (db, _info):
        found = db.execute(_STANDING, (*hashes, subscriber_id, email)).fetchone()
    if found is None:
        return None
    return values.Standing(state=SS(found[0]), suppressed=bool(found[1]))


@contextmanager
def _driver(engine: sa.Engine) -> Iterator[tuple[sqlite3.Connection, dict[Any, Any]]]:
    """A pooled connection's sqlite3 connection and the pool's record of it; a driver error
    comes out as the SQLAlchemy exception SQLAlchemy would have raised for it."""
    pooled = engine.raw_connection()
    try:
        db = pooled.driver_connection
        assert isinstance(db, sqlite3.Connection)
        yield db, pooled.info
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(
            None, None, exc, sqlite3.Error, dialect=engine.dialect
        ) from exc
    finally:
        pooled.close()


@functools.cache
def _time_text(dialect: sa.Dialect) -> Callable[[datetime], str]:
    """An aware datetime as SQLAlchemy stores it in these columns on SQLite."""
    convert = models.UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert convert is not None
    return convert
