"""Recording what happened to a claimed delivery, fenced by its lease.

Every operation here first runs `UPDATE … WHERE id = ? AND lease_owner = ? AND state =
'sending'`. If that touches no row, the lease was lost (rescued after expiry, and maybe
claimed by another worker): the stale worker's outcome is dropped and False returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from drip.store import base, driver, models, outbox, rows, subscribers, values

D, Enr = models.DeliveryRow, models.EnrollmentRow
DS, ES = values.DeliveryState, values.EnrollmentState


class OutcomeOps(base.StoreBase):
    def mark_sent(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        message_id: str,
        next: values.Planned | None,
    ) -> bool:
        """Record the send and, in the same transaction, queue the next step or complete.

        Committed lazily (SQLite `synchronous=NORMAL`, PostgreSQL `synchronous_commit =
        off`): a crash of the machine or of the database server can lose this record, and
        then the email is sent again; it is never lost. It runs on the driver's connection
        (`driver.record_sent`: on PostgreSQL one statement, one round trip), once per email."""
        return driver.record_sent(
            self._engine, delivery_id, owner=owner, now=now, message_id=message_id, next=next
        )

    def mark_retry(
        self, delivery_id: int, *, owner: str, now: datetime, error: str, retry_at: datetime
    ) -> bool:
        """A temporary failure: back to pending, due again at `retry_at`."""
        with self._write() as conn:
            row = _fence(
                conn,
                delivery_id,
                owner,
                state=DS.PENDING,
                due_at=retry_at,
                attempts=D.attempts + 1,
                last_error=error,
                lease_owner=None,
            )
            if row is None:
                return False
            _event(conn, row, values.EventKind.RETRIED, now=now, detail=error)
            return True

    def defer(
        self, delivery_id: int, *, owner: str, due_at: datetime, reason: str | None = None
    ) -> bool:
        """Not now (the send window is closed, or sending is paused): back to pending, due at
        `due_at`, with `reason` as its last error when given. Not an attempt: nothing of this
        delivery's own failed."""
        changes: dict[str, Any] = {"state": DS.PENDING, "due_at": due_at, "lease_owner": None}
        if reason is not None:
            changes["last_error"] = reason
        with self._write() as conn:
            return _fence(conn, delivery_id, owner, **changes) is not None

    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """A permanent failure: the delivery ends as failed, with the reason."""
        with self._write() as conn:
            row = _fence(
                conn, delivery_id, owner, state=DS.FAILED, attempts=D.attempts + 1, last_error=error
            )
            if row is None:
                return False
            _event(conn, row, values.EventKind.FAILED, now=now, detail=error)
            return True

    def mark_bounced(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """The mailbox does not exist (5.1.x): the delivery fails and, in the same transaction,
        the subscriber is marked bounced, the address suppressed, the rest cancelled."""
        with self._write() as conn:
            row = _fence(
                conn, delivery_id, owner, state=DS.FAILED, attempts=D.attempts + 1,
                last_error=error, bounced_at=now,
            )  # fmt: skip
            if row is None:
                return False
            _event(conn, row, values.EventKind.FAILED, now=now, detail=error)
            found = subscribers.by_id(conn, row.subscriber_id)
            if found.state is not values.SubscriberState.BOUNCED:
                subscribers.change(
                    conn, self._hashes, found, values.SubscriberState.BOUNCED, now=now
                )
            return True

    def mark_suppressed(self, delivery_id: int, *, owner: str, now: datetime, reason: str) -> bool:
        """Not sent on purpose (the subscriber left, or the address is suppressed)."""
        with self._write() as conn:
            row = _fence(conn, delivery_id, owner, state=DS.SUPPRESSED, last_error=reason)
            if row is None:
                return False
            _event(conn, row, values.EventKind.SUPPRESSED, now=now, detail=reason)
            return True

    def mark_skipped(
        self,
        delivery_id: int,
        *,
        owner: str,
        now: datetime,
        reason: str,
        next: values.Planned | None,
    ) -> bool:
        """Not sent because its step left sequences.yaml: cancelled, and the next step queued
        in the same transaction, so the patient's sequence goes on."""
        with self._write() as conn:
            row = _fence(conn, delivery_id, owner, state=DS.CANCELLED, last_error=reason)
            if row is None:
                return False
            _event(conn, row, values.EventKind.SUPPRESSED, now=now, detail=reason)
            _advance(conn, row, next, now=now, done=False)
            return True


@dataclass(frozen=True, kw_only=True)
class _Fenced:
    subscriber_id: int
    sequence: str
    step_id: str


def _fence(conn: sa.Connection, delivery_id: int, owner: str, **changes: Any) -> _Fenced | None:
    update = (
        sa.update(D)
        .where(D.id == delivery_id, D.lease_owner == owner, D.state == DS.SENDING)
        .values(lease_expires_at=None, **changes)
        .returning(D.subscriber_id, D.sequence, D.step_id)
    )
    row = conn.execute(update).one_or_none()
    if row is None:
        return None
    return _Fenced(subscriber_id=row.subscriber_id, sequence=row.sequence, step_id=row.step_id)


def _event(
    conn: sa.Connection,
    row: _Fenced,
    kind: values.EventKind,
    *,
    now: datetime,
    detail: str | None = None,
) -> None:
    rows.add_event(
        conn,
        row.subscriber_id,
        kind,
        now=now,
        sequence=row.sequence,
        step_id=row.step_id,
        detail=detail,
    )


def _advance(
    conn: sa.Connection,
    row: _Fenced,
    next: values.Planned | None,
    *,
    now: datetime,
    done: bool = True,
) -> None:
    """Move the enrollment past the step just sent or skipped (the confirmation has no
    enrollment); `done` says whether the patient received it."""
    mine = sa.and_(Enr.subscriber_id == row.subscriber_id, Enr.sequence == row.sequence)
    changes: dict[str, Any] = {"updated_at": now}
    if done:
        changes["last_step_id"] = row.step_id
    state = conn.execute(
        sa.update(Enr).where(mine).values(**changes).returning(Enr.state)
    ).scalar_one_or_none()
    if state is ES.ACTIVE and next is not None:
        outbox.queue(conn, row.subscriber_id, row.sequence, next, now=now)
    elif state is ES.ACTIVE:
        conn.execute(sa.update(Enr).where(mine).values(state=ES.COMPLETED))
