"""Adding many subscribers at once (`drip import`): one transaction per batch, not per row.

A row added here ends exactly as `SubscriberOps.add_subscriber` leaves it (the subscriber, its
`subscribed` / `confirmed` / `enrolled` events, its enrollment and first delivery), and a row
refused is refused with the same error (suppressed first, then already subscribed, an address
earlier in the same file included). The difference is the cost: the look-ups are one query per
batch and the rows are written with one multi-row INSERT per table, so an import of 100,000
patients takes seconds, not minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from drip import contacts, errors
from drip.store import base, models, values

S, DS = values.SubscriberState, values.DeliveryState
_SUB = cast(sa.Table, models.SubscriberRow.__table__)
_EVENT = cast(sa.Table, models.EventRow.__table__)
_ENR = cast(sa.Table, models.EnrollmentRow.__table__)
_DEL = cast(sa.Table, models.DeliveryRow.__table__)
_SUPP = cast(sa.Table, models.SuppressionRow.__table__)


@dataclass(frozen=True, kw_only=True)
class NewSubscriber:
    """One row to add: `email` as checked at the door (`contacts.normalise`), `start` the
    delivery to queue (the opt-in email, or the first step of the cause's sequence)."""

    email: str
    first_name: str
    cause: str
    timezone: str
    start: values.Start | None


class ImportOps(base.StoreBase):
    def add_subscribers(
        self,
        batch: Sequence[NewSubscriber],
        *,
        consent: values.Consent,
        confirmed: bool,
        now: datetime,
    ) -> list[errors.InvalidInput | None]:
        """Add `batch` in one transaction; for each row, None (added) or why it was refused
        (Suppressed, AlreadySubscribed). When a sign-up of one of the addresses lands between
        the look-up and the insert, the batch is added again row by row, as `add_subscriber`
        would have done."""
        try:
            with self._write() as conn:
                return self._add_batch(conn, batch, consent=consent, confirmed=confirmed, now=now)
        except sa.exc.IntegrityError:
            return [
                self._add_one(new, consent=consent, confirmed=confirmed, now=now) for new in batch
            ]

    def _add_one(
        self, new: NewSubscriber, *, consent: values.Consent, confirmed: bool, now: datetime
    ) -> errors.InvalidInput | None:
        try:
            with self._write() as conn:
                [refused] = self._add_batch(
                    conn, [new], consent=consent, confirmed=confirmed, now=now
                )
                return refused
        except sa.exc.IntegrityError:
            with self._read() as conn:  # the race is lost: say why, as add_subscriber does
                [refused] = self._refusals(conn, [new], confirmed=confirmed)
            if refused is None:
                raise
            return refused

    def _add_batch(
        self,
        conn: sa.Connection,
        batch: Sequence[NewSubscriber],
        *,
        consent: values.Consent,
        confirmed: bool,
        now: datetime,
    ) -> list[errors.InvalidInput | None]:
        refusals = self._refusals(conn, batch, confirmed=confirmed)
        added = [new for new, refused in zip(batch, refusals, strict=True) if refused is None]
        if added:
            _insert(conn, added, consent=consent, confirmed=confirmed, now=now)
        return refusals

    def _refusals(
        self, conn: sa.Connection, batch: Sequence[NewSubscriber], *, confirmed: bool
    ) -> list[errors.InvalidInput | None]:
        """Why each row cannot be added, in `add_subscriber`'s order: a suppression, then an
        address known before, or earlier in this batch."""
        hashes = [self._hashes.candidates(new.email) for new in batch]
        every_hash = {h for pair in hashes for h in pair}
        suppressed: dict[str, values.SuppressionReason] = {
            row.email_hash: row.reason
            for row in conn.execute(
                sa.select(_SUPP.c.email_hash, _SUPP.c.reason).where(
                    _SUPP.c.email_hash.in_(every_hash)
                )
            )
        }
        comparable = [contacts.comparable(new.email) for new in batch]
        known: dict[str, values.SubscriberState] = {
            row.email_normalised: row.state
            for row in conn.execute(
                sa.select(_SUB.c.email_normalised, _SUB.c.state).where(
                    _SUB.c.email_normalised.in_(set(comparable))
                )
            )
        }
        out: list[errors.InvalidInput | None] = []
        for new, pair, key in zip(batch, hashes, comparable, strict=True):
            reason = next((suppressed[h] for h in pair if h in suppressed), None)
            if reason is not None:
                out.append(values.Suppressed(new.email, reason))
            elif key in known:
                out.append(values.AlreadySubscribed(new.email, known[key]))
            else:
                out.append(None)
                known[key] = S.ACTIVE if confirmed else S.PENDING
        return out


def _insert(
    conn: sa.Connection,
    added: Sequence[NewSubscriber],
    *,
    consent: values.Consent,
    confirmed: bool,
    now: datetime,
) -> None:
    state = S.ACTIVE if confirmed else S.PENDING
    shared = {
        "state": state,
        "created_at": now,
        "confirmed_at": now if confirmed else None,
        "consent_at": consent.at or now,
        "consent_source": consent.source,
        "consent_text": consent.text,
        "consent_ip": consent.ip,
        "consent_version": consent.version,
        "updated_at": now,
    }
    ids = (
        conn.execute(
            sa.insert(_SUB).returning(_SUB.c.id, sort_by_parameter_order=True),
            [
                {
                    **shared,
                    "uid": uuid.uuid4().hex,
                    "email": new.email,
                    "email_normalised": contacts.comparable(new.email),
                    "first_name": new.first_name.strip(),
                    "cause": new.cause,
                    "timezone": new.timezone,
                }
                for new in added
            ],
        )
        .scalars()
        .all()
    )
    events: list[dict[str, Any]] = []
    enrollments: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    event = {"at": now, "sequence": None, "detail": None}
    for new_id, new in zip(ids, added, strict=True):
        events.append({**event, "subscriber_id": new_id, "kind": values.EventKind.SUBSCRIBED,
                       "detail": consent.source})  # fmt: skip
        if confirmed:
            events.append({**event, "subscriber_id": new_id, "kind": values.EventKind.CONFIRMED})
        if new.start is None:
            continue
        sequence = new.start.sequence
        if sequence != values.CONFIRM_SEQUENCE:
            enrollments.append({"subscriber_id": new_id, "sequence": sequence,
                                "state": values.EnrollmentState.ACTIVE,
                                "started_at": now, "updated_at": now})  # fmt: skip
            events.append({**event, "subscriber_id": new_id, "kind": values.EventKind.ENROLLED,
                           "sequence": sequence})  # fmt: skip
        deliveries.append({"uid": uuid.uuid4().hex, "subscriber_id": new_id,
                           "sequence": sequence, "step_id": new.start.first.step_id,
                           "due_at": new.start.first.due_at, "state": DS.PENDING,
                           "attempts": 0, "created_at": now})  # fmt: skip
    conn.execute(sa.insert(_EVENT), events)
    for table, batch in ((_ENR, enrollments), (_DEL, deliveries)):
        if batch:
            conn.execute(sa.insert(table), batch)
