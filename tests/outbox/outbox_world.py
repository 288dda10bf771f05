"""The worlds the Outbox contract runs in: the in-memory fake, and the SQL store.

A world is the outbox under test plus the few ways to seed it that sign-up, confirmation and
state changes provide, and a look at its deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import sqlalchemy as sa

import db_rows
from drip import planning, sequences, store
from drip.store import models

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SS, DS = store.SubscriberState, store.DeliveryState
TZ = "Europe/Berlin"


@dataclass(frozen=True)
class Row:
    sequence: str
    step_id: str
    state: store.DeliveryState
    attempts: int
    last_error: str | None
    due_at: datetime


class World(Protocol):
    """The outbox under test, the seeding that sign-up and state changes provide, a look."""

    @property
    def outbox(self) -> store.MemoryOutbox | store.Store: ...

    def patient(
        self, email: str, *, state: store.SubscriberState = ..., timezone: str = ...
    ) -> int:
        """A subscriber (first name Jane) in `state`; returns their id."""

    def uid(self, subscriber_id: int) -> str: ...

    def enroll(
        self, subscriber_id: int, *, due: datetime = ..., step: str = ..., sequence: str = ...
    ) -> None: ...

    def confirmation(self, subscriber_id: int, *, due: datetime = ...) -> None: ...

    def set_state(self, subscriber_id: int, state: store.SubscriberState) -> None: ...

    def stop(self, subscriber_id: int, *, sequence: str) -> None: ...

    def state_of(self, subscriber_id: int) -> store.SubscriberState: ...

    def suppressed(self, email: str) -> bool: ...

    def deliveries(self) -> list[Row]: ...


class MemoryWorld:
    def __init__(self) -> None:
        self.outbox = store.MemoryOutbox()

    def patient(
        self, email: str, *, state: store.SubscriberState = SS.ACTIVE, timezone: str = TZ
    ) -> int:
        return self.outbox.add_subscriber(
            email=email, first_name="Jane", timezone=timezone, state=state
        )

    def uid(self, subscriber_id: int) -> str:
        return self.outbox.subscriber_uid(subscriber_id)

    def enroll(
        self,
        subscriber_id: int,
        *,
        due: datetime = NOW,
        step: str = "welcome",
        sequence: str = "muscle-injury",
    ) -> None:
        planned = planning.Planned(step_id=step, due_at=due)
        self.outbox.enroll(subscriber_id, sequence=sequence, first=planned)

    def confirmation(self, subscriber_id: int, *, due: datetime = NOW) -> None:
        first = planning.Planned(step_id=sequences.CONFIRM_STEP, due_at=due)
        self.outbox.enroll(subscriber_id, sequence=sequences.CONFIRM_SEQUENCE, first=first)

    def set_state(self, subscriber_id: int, state: store.SubscriberState) -> None:
        self.outbox.set_state(subscriber_id, state)

    def stop(self, subscriber_id: int, *, sequence: str) -> None:
        self.outbox.stop(subscriber_id, sequence=sequence)

    def state_of(self, subscriber_id: int) -> store.SubscriberState:
        return self.outbox.subscriber_state(subscriber_id)

    def suppressed(self, email: str) -> bool:
        return self.outbox.is_suppressed(email)

    def deliveries(self) -> list[Row]:
        return [
            Row(d.sequence, d.step_id, d.state, d.attempts, d.last_error, d.due_at)
            for d in self.outbox.deliveries()
        ]


class SqlWorld:
    def __init__(self, db: store.Store) -> None:
        self.outbox = db

    def patient(
        self, email: str, *, state: store.SubscriberState = SS.ACTIVE, timezone: str = TZ
    ) -> int:
        added = self.outbox.add_subscriber(
            email=email,
            first_name="Jane",
            cause="muscle-injury",
            timezone=timezone,
            consent=store.Consent(source="test", text="yes"),
            now=NOW,
            confirmed=state is not SS.PENDING,
        )
        if state not in (SS.ACTIVE, SS.PENDING):
            self.outbox.set_state(added.uid, state, now=NOW)
        return added.id

    def uid(self, subscriber_id: int) -> str:
        s = models.SubscriberRow
        with self.outbox.engine.connect() as conn:
            return str(conn.execute(sa.select(s.uid).where(s.id == subscriber_id)).scalar_one())

    def enroll(
        self,
        subscriber_id: int,
        *,
        due: datetime = NOW,
        step: str = "welcome",
        sequence: str = "muscle-injury",
    ) -> None:
        db_rows.enroll(self.outbox, subscriber_id, now=NOW, step=step, due=due, sequence=sequence)

    def confirmation(self, subscriber_id: int, *, due: datetime = NOW) -> None:
        db_rows.queue_confirmation(self.outbox, subscriber_id, due=due, now=NOW)

    def set_state(self, subscriber_id: int, state: store.SubscriberState) -> None:
        self.outbox.set_state(self.uid(subscriber_id), state, now=NOW)

    def stop(self, subscriber_id: int, *, sequence: str) -> None:
        db_rows.stop_enrollment(self.outbox, subscriber_id, sequence=sequence, now=NOW)

    def state_of(self, subscriber_id: int) -> store.SubscriberState:
        found = self.outbox.subscriber_by_uid(self.uid(subscriber_id))
        assert found is not None
        return found.state

    def suppressed(self, email: str) -> bool:
        return db_rows.is_suppressed(self.outbox, email)

    def deliveries(self) -> list[Row]:
        d = models.DeliveryRow
        query = sa.select(
            d.sequence, d.step_id, d.state, d.attempts, d.last_error, d.due_at
        ).order_by(d.id)
        with self.outbox.engine.connect() as conn:
            return [Row(*row) for row in conn.execute(query)]
