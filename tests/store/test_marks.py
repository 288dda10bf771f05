"""The record of a send (`mark_sent`): the rows it leaves, and which commits are lazy.

Only the record of a send is committed without waiting for the disk (SQLite
`synchronous=NORMAL`, PostgreSQL `synchronous_commit = off`, in one statement): losing it in
a crash of the machine or the server re-sends an email. Every other write, an unsubscribe
above all, is committed durably as before (docs/delivery-guarantees.md).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

import db_rows
from drip import planning
from drip import store as drip_store
from drip.store import models

DS, ES = drip_store.DeliveryState, drip_store.EnrollmentState
Kind = drip_store.EventKind
D, Enr = models.DeliveryRow, models.EnrollmentRow


def _deliveries(store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(D.step_id, D.state, D.due_at, D.message_id, D.sent_at, D.attempts,
                      D.last_error).order_by(D.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


class Said:
    """Every statement the driver sends from now on, as the driver sends it: SQLite's own
    trace, PostgreSQL's wire protocol traced by libpq (the Parse and Query messages). The
    record of a send runs on the driver's connection (store/driver.py): SQLAlchemy's events
    would not see it."""

    def __init__(self, store, tmp_path: Path) -> None:
        self._sqlite: list[str] = []
        self._trace = tmp_path / "libpq-trace.txt"
        self._trace.touch()
        self._files: list[Any] = []
        sa.event.listen(store.engine, "connect", self._on_connect)
        store.engine.dispose()  # the pooled connections were opened before the trace

    def _on_connect(self, dbapi: Any, _record: Any) -> None:
        if isinstance(dbapi, sqlite3.Connection):
            dbapi.set_trace_callback(self._sqlite.append)
            return
        out = open(self._trace, "a")  # noqa: SIM115  (closed by libpq's untrace at close)
        self._files.append(out)
        dbapi.pgconn.trace(out.fileno())
        dbapi.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def statements(self) -> list[str]:
        for out in self._files:
            out.flush()
        messages = re.split(r"\n(?=[FB]\t\d+\t)", self._trace.read_text())  # one per message
        parts = [message.split("\t", 3) for message in messages if message]
        sent = [part[3] for part in parts if part[0] == "F" and part[2] in ("Parse", "Query")]
        return self._sqlite + sent

    def clear(self) -> None:
        self._sqlite.clear()
        self._trace.write_text("")

    def close(self, store) -> None:
        store.engine.dispose()  # libpq writes no more once its connections are closed
        for out in self._files:
            out.close()


@pytest.fixture
def said(store, tmp_path: Path) -> Iterator[Said]:
    watching = Said(store, tmp_path)
    yield watching
    watching.close(store)


def test_mark_sent_stores_times_as_every_other_write_does(store, add, now) -> None:
    jane = add("jane@example.org")
    db_rows.enroll(store, jane.id, now=now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    later = now + timedelta(days=2)
    nxt = planning.Planned(step_id="heat-and-ice", due_at=later)
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=nxt)
    with store.engine.connect() as conn:  # the stored values as they are, not as read back
        sql = "SELECT created_at, sent_at, due_at FROM deliveries ORDER BY id"
        [(created, sent, due), (queued, _, next_due)] = conn.exec_driver_sql(sql).all()
        events = conn.exec_driver_sql("SELECT at FROM events").scalars().all()
    # `now`, written by enroll and by the record of the send, is stored the same way
    assert sent == created == queued == due
    assert len(set(events)) == 1  # the sent event's `at`, as the enrollment's events'
    assert type(next_due) is type(due) and next_due != due


def test_mark_sent_records_the_send_and_revives_a_cancelled_next_step(store, add, now) -> None:
    jane = add("jane@example.org")
    db_rows.enroll(store, jane.id, now=now)
    db_rows.enroll(store, jane.id, now=now, step="heat-and-ice")
    db_rows.stop_enrollment(store, jane.id, sequence="muscle-injury", now=now)
    db_rows.enroll(store, jane.id, now=now)  # active again; heat-and-ice stays cancelled
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    later = now + timedelta(days=2)
    assert store.mark_sent(
        claim.delivery_id,
        owner="w",
        now=now,
        message_id="<m@clinic.example>",
        next=planning.Planned(step_id="heat-and-ice", due_at=later),
    )
    assert _deliveries(store) == [
        ("welcome", DS.SENT, now, "<m@clinic.example>", now, 0, None),
        ("heat-and-ice", DS.PENDING, later, None, None, 0, None),
    ]
    with store.engine.connect() as conn:
        lease = conn.execute(
            sa.select(D.lease_owner, D.lease_expires_at).where(D.id == claim.delivery_id)
        ).one()
        enrollment = conn.execute(sa.select(Enr.state, Enr.last_step_id, Enr.updated_at)).one()
    assert tuple(lease) == ("w", None)
    assert tuple(enrollment) == (ES.ACTIVE, "welcome", now)
    sent = [e for e in db_rows.events(store, jane.id) if e.kind is Kind.SENT]
    assert [(e.sequence, e.step_id, e.at, e.detail) for e in sent] == [
        ("muscle-injury", "welcome", now, None)
    ]


def test_the_last_step_completes_the_enrollment(store, add, now) -> None:
    jane = add("jane@example.org")
    db_rows.enroll(store, jane.id, now=now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(Enr.state, Enr.last_step_id)).one() == (
            ES.COMPLETED,
            "welcome",
        )


def test_only_the_record_of_a_send_is_committed_lazily(store, add, now, said: Said) -> None:
    jane = add("jane@example.org")
    db_rows.enroll(store, jane.id, now=now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    said.clear()
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    statements = said.statements()
    if store.engine.dialect.name == "sqlite":
        assert "PRAGMA synchronous=NORMAL" in statements[: statements.index("BEGIN IMMEDIATE")]
    else:  # one statement, in autocommit (no BEGIN, no COMMIT), choosing its own commit
        [statement] = statements
        assert "set_config('synchronous_commit', 'off', true)" in statement
    said.clear()
    store.set_state(jane.uid, drip_store.SubscriberState.UNSUBSCRIBED, now=now)
    statements = said.statements()
    if store.engine.dialect.name == "sqlite":
        assert "PRAGMA synchronous=FULL" in statements[: statements.index("BEGIN IMMEDIATE")]
        with store.engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    else:
        assert not any("synchronous" in s for s in statements)
        with store.engine.begin() as conn:
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
