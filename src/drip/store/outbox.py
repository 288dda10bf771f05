"""The outbox: queueing deliveries, claiming due ones with a lease, and giving leases back.

A delivery row is unique per (subscriber, sequence, step id), forever: queueing a step twice
is a no-op, so no step can be sent twice. The one exception is a *cancelled* row (a cause
switch or a stop cancelled it before sending), which queueing again revives.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa

from drip.store import base, driver, models, rows, values

D, Sub, Enr = models.DeliveryRow, models.SubscriberRow, models.EnrollmentRow
Supp = models.SuppressionRow
DS = values.DeliveryState

_CLAIM_COLUMNS = (
    D.id,
    D.uid.label("delivery_uid"),
    D.subscriber_id,
    Sub.uid.label("subscriber_uid"),
    Sub.email,
    Sub.first_name,
    Sub.timezone,
    Sub.state,
    D.sequence,
    D.step_id,
    D.due_at,
    D.attempts,
    D.lease_owner,
    D.lease_expires_at,
)


class OutboxOps(base.StoreBase):
    def claim_due(
        self,
        *,
        now: datetime,
        limit: int,
        owner: str,
        lease_seconds: int,
        lease_from: datetime | None = None,
    ) -> list[values.Claim]:
        """Lease up to `limit` due deliveries to `owner`, oldest first.

        `now` decides what is due; the lease runs from `lease_from` (default `now`): the real
        clock, when `now` is simulated (`drip tick --now`), since rescue runs on real time.

        Only deliveries of active subscribers are claimed (and the confirmation email of
        pending ones): a paused subscriber's deliveries wait, untouched, for the resume.
        """
        due = (
            sa.select(D.id)
            .join(Sub, Sub.id == D.subscriber_id)
            .where(D.state == DS.PENDING, D.due_at <= now, claimable())
            .order_by(D.due_at, D.id)
            .limit(limit)
        )
        with self._write() as conn:
            if self._sqlite:
                # BEGIN IMMEDIATE serialises writers: this single UPDATE sees committed claims.
                chosen: sa.ColumnElement[bool] = D.id.in_(due.correlate(None).scalar_subquery())
            else:
                locked = due.with_for_update(skip_locked=True, of=D)
                chosen = D.id.in_(conn.execute(locked).scalars().all())
            claimed = conn.execute(
                sa.update(D)
                .where(chosen, D.state == DS.PENDING)
                .values(
                    state=DS.SENDING,
                    lease_owner=owner,
                    lease_expires_at=(lease_from or now) + timedelta(seconds=lease_seconds),
                )
                .returning(D.id)
            ).scalars()
            query = (
                sa.select(*_CLAIM_COLUMNS)
                .join(Sub, Sub.id == D.subscriber_id)
                .where(D.id.in_(list(claimed)))
                .order_by(D.due_at, D.id)
            )
            return [_to_claim(row) for row in conn.execute(query).mappings()]

    def release(self, owner: str) -> int:
        """Graceful stop: hand this owner's unfinished claims back to the queue."""
        with self._write() as conn:
            released = conn.execute(
                sa.update(D)
                .where(D.state == DS.SENDING, D.lease_owner == owner)
                .values(state=DS.PENDING, lease_owner=None, lease_expires_at=None)
                .returning(D.id)
            )
            return len(released.all())

    def rescue_expired(self, *, now: datetime, sparing: str | None = None) -> int:
        """Put deliveries whose lease expired (a worker died) back in the queue; `sparing`: a
        worker that is alive and holds a batch, whose claims it is still recording."""
        spared = [] if sparing is None else [D.lease_owner.is_distinct_from(sparing)]
        with self._write() as conn:
            rescued = conn.execute(
                sa.update(D)
                .where(D.state == DS.SENDING, D.lease_expires_at < now, *spared)
                .values(state=DS.PENDING, lease_owner=None, lease_expires_at=None)
                .returning(D.subscriber_id, D.sequence, D.step_id)
            ).all()
            for row in rescued:
                rows.add_event(
                    conn,
                    row.subscriber_id,
                    values.EventKind.RETRIED,
                    now=now,
                    sequence=row.sequence,
                    step_id=row.step_id,
                    detail="lease expired",
                )
            return len(rescued)

    def recheck(self, subscriber_id: int) -> values.Recheck | None:
        """The subscriber as they are now (read at send time, not trusted from the claim):
        state, suppression and the steps sent, in one read. None when they are gone."""
        with self._read() as conn:
            found = conn.execute(
                sa.select(Sub.state, Sub.email).where(Sub.id == subscriber_id)
            ).one_or_none()
            if found is None:
                return None
            return values.Recheck(
                state=found.state,
                suppressed=rows.suppression_reason(conn, self._hashes, found.email) is not None,
                sent=_sent(conn, subscriber_id),
            )

    def rechecks(self, subscriber_ids: Collection[int]) -> dict[int, values.Recheck]:
        """`recheck` for the subscribers of a batch, in three queries whatever its size; the
        ones gone are left out. Read once, just after the claim: each send is preceded by
        `standing`, which an unsubscribe or a suppression since changes."""
        wanted = sorted(set(subscriber_ids))
        if not wanted:
            return {}
        with self._read() as conn:
            found = conn.execute(
                sa.select(Sub.id, Sub.state, Sub.email).where(Sub.id.in_(wanted))
            ).all()
            hashes = {row.id: self._hashes.candidates(row.email) for row in found}
            every = [h for pair in hashes.values() for h in pair]
            suppressed = set(
                conn.execute(sa.select(Supp.email_hash).where(Supp.email_hash.in_(every)))
                .scalars()
                .all()
            )
            sent: dict[int, set[tuple[str, str]]] = {row.id: set() for row in found}
            for row in conn.execute(
                sa.select(D.subscriber_id, D.sequence, D.step_id).where(
                    D.subscriber_id.in_(wanted), D.state == DS.SENT
                )
            ):
                sent[row.subscriber_id].add((row.sequence, row.step_id))
        return {
            row.id: values.Recheck(
                state=row.state,
                suppressed=not suppressed.isdisjoint(hashes[row.id]),
                sent=frozenset(sent[row.id]),
            )
            for row in found
        }

    def standing(self, subscriber_id: int, email: str) -> values.Standing | None:
        """The subscriber's state and whether `email` (theirs when the batch was claimed) is
        suppressed, now, in one statement; None when they are gone or their address is no
        longer `email`. Cheaper than `recheck`: it is read just before the send."""
        hashes = self._hashes.candidates(email)
        return driver.standing(self._engine, hashes, subscriber_id, email)

    def sent_steps(self, subscriber_id: int) -> frozenset[tuple[str, str]]:
        """Every (sequence, step id) this subscriber was sent, in any sequence."""
        with self._read() as conn:
            return _sent(conn, subscriber_id)


def _sent(conn: sa.Connection, subscriber_id: int) -> frozenset[tuple[str, str]]:
    query = sa.select(D.sequence, D.step_id).where(
        D.subscriber_id == subscriber_id, D.state == DS.SENT
    )
    return frozenset((row.sequence, row.step_id) for row in conn.execute(query))


def start(conn: sa.Connection, subscriber_id: int, what: values.Start, *, now: datetime) -> None:
    """Queue a first delivery; for a sequence, also start (or restart a stopped) enrollment."""
    if what.sequence != values.CONFIRM_SEQUENCE:
        conn.execute(
            rows.insert(conn, Enr)
            .values(
                subscriber_id=subscriber_id,
                sequence=what.sequence,
                state=values.EnrollmentState.ACTIVE,
                started_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["subscriber_id", "sequence"],
                set_={"state": values.EnrollmentState.ACTIVE, "updated_at": now},
                where=Enr.state != values.EnrollmentState.ACTIVE,
            )
        )
        rows.add_event(
            conn, subscriber_id, values.EventKind.ENROLLED, now=now, sequence=what.sequence
        )
    queue(conn, subscriber_id, what.sequence, what.first, now=now)


def confirmation(conn: sa.Connection, subscriber_id: int, *, now: datetime) -> bool:
    """Queue an opt-in email, unless one is still waiting to go; False when none was queued.

    Each is a step of its own (`confirm`, `confirm-2`, …): a step is sent at most once, and a
    patient whose link expired may ask for another."""
    confirm = values.CONFIRM_SEQUENCE
    queued = (
        conn.execute(
            sa.select(D.state).where(D.subscriber_id == subscriber_id, D.sequence == confirm)
        )
        .scalars()
        .all()
    )
    if any(state in (DS.PENDING, DS.SENDING) for state in queued):
        return False
    step = values.CONFIRM_STEP if not queued else f"{values.CONFIRM_STEP}-{len(queued) + 1}"
    queue(conn, subscriber_id, confirm, values.Planned(step_id=step, due_at=now), now=now)
    return True


def stop(conn: sa.Connection, subscriber_id: int, sequence: str, *, now: datetime) -> int:
    """Stop the enrollment and cancel its pending deliveries; returns how many."""
    conn.execute(
        sa.update(Enr)
        .where(
            Enr.subscriber_id == subscriber_id,
            Enr.sequence == sequence,
            Enr.state == values.EnrollmentState.ACTIVE,
        )
        .values(state=values.EnrollmentState.STOPPED, updated_at=now)
    )
    cancelled = conn.execute(
        sa.update(D)
        .where(D.subscriber_id == subscriber_id, D.sequence == sequence)
        .where(D.state == DS.PENDING)
        .values(state=DS.CANCELLED)
        .returning(D.id)
    )
    return len(cancelled.all())


def claimable() -> sa.ColumnElement[bool]:
    """Which pending deliveries a worker may claim. Held back: a paused subscriber's (they wait
    for the resume) and a pending one's, but for the opt-in email (they wait for the
    confirmation). Claimed: those of someone who left since the row was queued (a retry put
    back after an unsubscribe, say), so that the send-time re-check ends them as suppressed:
    no row is left pending forever."""
    waiting = sa.or_(
        Sub.state == values.SubscriberState.PAUSED,
        sa.and_(Sub.state == values.SubscriberState.PENDING, D.sequence != values.CONFIRM_SEQUENCE),
    )
    return sa.not_(waiting)


def queue(
    conn: sa.Connection,
    subscriber_id: int,
    sequence: str,
    planned: values.Planned,
    *,
    now: datetime,
) -> None:
    """Insert a pending delivery; an existing one stays as it is unless it was cancelled."""
    conn.execute(
        rows.insert(conn, D)
        .values(
            uid=uuid.uuid4().hex,
            subscriber_id=subscriber_id,
            sequence=sequence,
            step_id=planned.step_id,
            due_at=planned.due_at,
            state=DS.PENDING,
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_update(
            index_elements=["subscriber_id", "sequence", "step_id"],
            set_={
                "state": DS.PENDING,
                "due_at": planned.due_at,
                "attempts": 0,
                "last_error": None,
            },
            where=D.state == DS.CANCELLED,
        )
    )


def _to_claim(m: sa.RowMapping) -> values.Claim:
    return values.Claim(
        delivery_id=m["id"],
        delivery_uid=m["delivery_uid"],
        subscriber_id=m["subscriber_id"],
        subscriber_uid=m["subscriber_uid"],
        email=m["email"],
        first_name=m["first_name"],
        timezone=m["timezone"],
        state=m["state"],
        sequence=m["sequence"],
        step_id=m["step_id"],
        due_at=m["due_at"],
        attempts=m["attempts"],
        lease_owner=m["lease_owner"],
        lease_expires_at=m["lease_expires_at"],
    )
