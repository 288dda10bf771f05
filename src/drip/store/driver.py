"""The two statements of every email, run on the driver's own connection.

Each email costs one read just before its send (`standing`) and one write after it (the
record of the send: fence, event, enrollment, next step). Through SQLAlchemy a statement costs
about 80 µs of Python and a transaction about 150 µs more, against about 5 µs and 20 µs on the
driver itself (SQLite; on PostgreSQL the same overhead beside a round trip of ~50 µs: measured
in benchmarks/README.md, "The dispatch loop"): that overhead was most of the cost of an
email's database work. So these two run on the pooled DBAPI connection, with what SQLAlchemy
would do kept:

- the SQL is SQLAlchemy's own, compiled once per dialect (PostgreSQL's record and the standing
  read), or plain SQL written for SQLite's five statements of the record; values are
  converted by SQLAlchemy's bind processor for the column type (`UTCDateTime`), so the stored
  text is the same byte for byte, and statuses are the enums' values;
- SQLite: the write runs under `BEGIN IMMEDIATE` with `synchronous=NORMAL` (the connection's
  setting is tracked in one place, `base.sync_for`: the next write through SQLAlchemy sets
  it back to FULL);
  PostgreSQL: one statement in autocommit, one round trip, choosing its own lazy commit;
- a driver error is raised as SQLAlchemy's exception for it, and a connection the server
  dropped is invalidated in the pool, so that `store.transient` and the dispatcher read a
  database that is away the same way, whichever path met it.

A test compares the rows and the stored values each path leaves with the generic outcome
path's (tests/store/test_marks.py), on both databases.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drip.store import base, models, values

DS, ES, SS = values.DeliveryState, values.EnrollmentState, values.SubscriberState
Sub, Supp = models.SubscriberRow, models.SuppressionRow

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
# The record as one statement, run in autocommit (a statement is its own transaction): one
# round trip instead of seven (BEGIN, SET LOCAL, the four statements, COMMIT). Its parts see
# one snapshot, so `was` reads the enrollment as it was before `moved` changes it: the next
# step is queued only if the enrollment was active. `set_config(..., true)` is SET LOCAL for
# this statement's transaction: its commit does not wait for the disk.
_PG_RECORD = (
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

# What `standing` reads: the subscriber's state, and whether one of the two hashes of the
# claimed address is on the suppression list; nothing when the address is no longer theirs.
_STANDING = sa.select(
    Sub.state,
    sa.exists()
    .where(Supp.email_hash.in_([sa.bindparam("p_key"), sa.bindparam("p_legacy")]))
    .label("suppressed"),
).where(Sub.id == sa.bindparam("p_id"), Sub.email == sa.bindparam("p_email"))


def record_sent(
    engine: sa.Engine,
    delivery_id: int,
    *,
    owner: str,
    now: datetime,
    message_id: str,
    next: values.Planned | None,
) -> bool:
    """Fence and mark the delivery sent, log it, move the enrollment on and queue `next` (or
    complete the enrollment), committed lazily; False when the lease was lost (nothing is
    written then)."""
    if engine.dialect.name == "sqlite":
        return _record_sqlite(engine, delivery_id, owner, now, message_id, next)
    time = _bind_time(engine.dialect)
    params: dict[str, Any] = {
        "p_id": delivery_id,
        "p_owner": owner,
        "p_now": time(now),
        "p_message_id": message_id,
        "p_uid": uuid.uuid4().hex,
        "p_next_step": None if next is None else next.step_id,
        "p_due_at": None if next is None else time(next.due_at),
    }
    row = _one_statement(engine, _PG_RECORD, params)  # always one row: (fenced, setting)
    return row is not None and bool(row[0])


def standing(
    engine: sa.Engine, hashes: tuple[str, str], subscriber_id: int, email: str
) -> values.Standing | None:
    """`OutboxOps.standing`: one SELECT, in a read transaction of its own (autocommit)."""
    key, legacy = hashes
    params = {"p_key": key, "p_legacy": legacy, "p_id": subscriber_id, "p_email": email}
    found = _one_statement(engine, _STANDING, params)
    if found is None:
        return None
    return values.Standing(state=SS(found[0]), suppressed=bool(found[1]))


def _record_sqlite(
    engine: sa.Engine,
    delivery_id: int,
    owner: str,
    now: datetime,
    message_id: str,
    next: values.Planned | None,
) -> bool:
    time = _bind_time(engine.dialect)
    at = time(now)
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
                queued = (uuid.uuid4().hex, subscriber, sequence, next.step_id, time(next.due_at))
                db.execute(_QUEUE, (*queued, at))
            elif state == ES.ACTIVE.value:
                db.execute(_COMPLETE, (subscriber, sequence))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return True


def _one_statement(
    engine: sa.Engine, statement: sa.Executable, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    """Run one statement as its own transaction and return its first row: SQLite's driver
    in autocommit already (`base._configure_sqlite`), psycopg's put in autocommit for it."""
    sql, names = _compiled(statement, engine.dialect)
    bound: dict[str, Any] | tuple[Any, ...] = (
        params if names is None else tuple(params[name] for name in names)
    )
    switch = engine.dialect.name != "sqlite"  # psycopg, idle after the pool's reset
    with _driver(engine) as (db, _info):
        if switch:
            db.autocommit = True  # a client-side setting: no round trip
        try:
            row = db.execute(sql, bound).fetchone()
        finally:
            if switch and not db.closed:
                db.autocommit = False
    return None if row is None else tuple(row)


@contextmanager
def _driver(engine: sa.Engine) -> Iterator[tuple[Any, dict[Any, Any]]]:
    """A pooled connection's driver connection and the pool's record of it. A driver error
    comes out as the SQLAlchemy exception SQLAlchemy would have raised for it; a connection
    the server dropped is invalidated, as SQLAlchemy does, so that the pool opens a new one."""
    dialect = engine.dialect
    pooled = engine.raw_connection()
    try:
        yield pooled.driver_connection, pooled.info
    except dialect.loaded_dbapi.Error as exc:
        gone = dialect.is_disconnect(exc, pooled.dbapi_connection, None)
        if gone:
            pooled.invalidate(exc)
        raise base.as_sqlalchemy_error(exc, dialect, invalidated=gone) from exc
    finally:
        pooled.close()


@functools.cache
def _compiled(statement: sa.Executable, dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None]:
    """SQLAlchemy's SQL for `statement` on `dialect`, and the order of its parameters when
    the driver takes them by position (None: by name)."""
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup) if compiled.positional else None
    return compiled.string, names


@functools.cache
def _bind_time(dialect: sa.Dialect) -> Callable[[datetime], Any]:
    """An aware datetime as SQLAlchemy binds it for these columns on `dialect` (SQLite: the
    text it stores)."""
    convert = models.UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert convert is not None  # a TypeDecorator with process_bind_param always has one
    return convert
