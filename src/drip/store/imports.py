"""Adding many subscribers at once (`drip import`): one transaction per batch, not per row.

A row added here ends exactly as `SubscriberOps.add_subscriber` leaves it (the subscriber, its
`subscribed` / `confirmed` / `enrolled` events, its enrollment and first delivery), and a row
refused is refused with the same error (suppressed first, then already subscribed, an address
earlier in the same file included). The difference is the cost: the look-ups are one query per
batch, and the rows are built as plain tuples and written by `bulk` (multi-row INSERTs on
SQLite, COPY on PostgreSQL), so an import of 100,000 patients takes seconds, not minutes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from drip import contacts, errors
from drip.store import base, bulk, models, rows, values

S, DS, ES, EK = (values.SubscriberState, values.DeliveryState, values.EnrollmentState,
                 values.EventKind)  # fmt: skip
_SUB = cast(sa.Table, models.SubscriberRow.__table__)
_EVENT = cast(sa.Table, models.EventRow.__table__)
_ENR = cast(sa.Table, models.EnrollmentRow.__table__)
_DEL = cast(sa.Table, models.DeliveryRow.__table__)
_SUPP = cast(sa.Table, models.SuppressionRow.__table__)
_SUB_COLUMNS = (
    "id", "uid", "email", "email_normalised", "first_name", "cause", "timezone", "state",
    "consent_at", "consent_source", "consent_text", "consent_ip", "consent_version",
    "created_at", "confirmed_at", "updated_at",
)  # fmt: skip
_EVENT_COLUMNS = ("subscriber_id", "kind", "at", "sequence", "detail")
_ENR_COLUMNS = ("subscriber_id", "sequence", "state", "started_at", "updated_at")
# uuid.UUID(version=4): the variant bits (10) and the version nibble (0100) over random bits.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)
_DEL_COLUMNS = ("uid", "subscriber_id", "sequence", "step_id", "due_at", "state", "attempts",
                "created_at")  # fmt: skip


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
                    bulk.among(conn, _SUPP.c.email_hash, every_hash)
                )
            )
        }
        comparable = [contacts.comparable(new.email) for new in batch]
        known: dict[str, values.SubscriberState] = {
            row.email_normalised: row.state
            for row in conn.execute(
                sa.select(_SUB.c.email_normalised, _SUB.c.state).where(
                    bulk.among(conn, _SUB.c.email_normalised, set(comparable))
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
    """The rows of `added` as plain tuples (`bulk`). Only timestamps and enums have a bind
    processor, and a batch shares them all but the due times: each is bound once; the rest
    are ids and strings, passed as they are."""
    bind = bulk.binder(conn)
    sub = (
        bind(_SUB.c.state, S.ACTIVE if confirmed else S.PENDING),
        bind(_SUB.c.consent_at, consent.at or now),
        consent.source,
        consent.text,
        consent.ip,
        consent.version,
        bind(_SUB.c.created_at, now),
        bind(_SUB.c.confirmed_at, now if confirmed else None),
        bind(_SUB.c.updated_at, now),
    )
    ids = bulk.new_ids(conn, _SUB, len(added))
    subscribers = [
        (new_id, uid, new.email, contacts.comparable(new.email), new.first_name.strip(),
         new.cause, new.timezone, *sub)
        for new_id, uid, new in zip(ids, _uids(len(added)), added, strict=True)
    ]  # fmt: skip
    bulk.insert(conn, _SUB, _SUB_COLUMNS, subscribers)
    event_at = bind(_EVENT.c.at, now)
    subscribed = (bind(_EVENT.c.kind, EK.SUBSCRIBED), event_at, None,
                  consent.source[: rows.DETAIL_MAX])  # fmt: skip
    confirmed_event = (bind(_EVENT.c.kind, EK.CONFIRMED), event_at, None, None)
    enrolled = bind(_EVENT.c.kind, EK.ENROLLED)
    enr = (bind(_ENR.c.state, ES.ACTIVE), bind(_ENR.c.started_at, now),
           bind(_ENR.c.updated_at, now))  # fmt: skip
    pending, created_at = bind(_DEL.c.state, DS.PENDING), bind(_DEL.c.created_at, now)
    due: dict[datetime, Any] = {}
    events: list[tuple[Any, ...]] = []
    enrollments: list[tuple[Any, ...]] = []
    deliveries: list[tuple[Any, ...]] = []
    for new_id, delivery_uid, new in zip(ids, _uids(len(added)), added, strict=True):
        events.append((new_id, *subscribed))
        if confirmed:
            events.append((new_id, *confirmed_event))
        if new.start is None:
            continue
        sequence, first = new.start.sequence, new.start.first
        if sequence != values.CONFIRM_SEQUENCE:
            enrollments.append((new_id, sequence, *enr))
            events.append((new_id, enrolled, event_at, sequence, None))
        if first.due_at not in due:
            due[first.due_at] = bind(_DEL.c.due_at, first.due_at)
        deliveries.append(
            (delivery_uid, new_id, sequence, first.step_id, due[first.due_at], pending, 0,
             created_at)
        )  # fmt: skip
    bulk.insert(conn, _EVENT, _EVENT_COLUMNS, events)
    bulk.insert(conn, _ENR, _ENR_COLUMNS, enrollments)
    bulk.insert(conn, _DEL, _DEL_COLUMNS, deliveries)


def _uids(count: int) -> list[str]:
    """`count` uids as `uuid.uuid4().hex` makes them (random, version 4), from one read of
    os.urandom: building a UUID object for each was 5% of an import's time."""
    raw = os.urandom(16 * count)
    return [
        f"{int.from_bytes(raw[i : i + 16]) & _UUID4_CLEAR | _UUID4_SET:032x}"
        for i in range(0, 16 * count, 16)
    ]
