"""The SQL outbox beyond the shared contract (tests/outbox/): what the database itself enforces
(one delivery per step, claimers that never share a row, SKIP LOCKED) and the event log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

import db_rows
from drip import planning
from drip import store as drip_store
from drip.store import models

DS = drip_store.DeliveryState
Kind = drip_store.EventKind
MINUTE = timedelta(minutes=1)


def _enroll(store, subscriber, now) -> None:
    db_rows.enroll(store, subscriber.id, now=now)


def test_the_database_refuses_a_second_delivery_of_a_step(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    row = {
        "uid": "e" * 32,
        "subscriber_id": jane.id,
        "sequence": "muscle-injury",
        "step_id": "welcome",
        "due_at": now,
        "state": DS.PENDING,
        "attempts": 0,
        "created_at": now,
    }
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.insert(models.DeliveryRow).values(**row))


def test_concurrent_claimers_never_share_a_row(store, add, now, database_url) -> None:
    for i in range(30):
        _enroll(store, add(f"p{i}@example.org"), now)
    workers = [
        drip_store.Store(database_url, suppression_key=db_rows.SUPPRESSION_KEY) for _ in range(3)
    ]
    got: dict[str, list[int]] = {}
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(workers))

    def work(name: str, db: drip_store.Store) -> None:
        barrier.wait()
        mine = got.setdefault(name, [])
        try:
            while claims := db.claim_due(now=now, limit=4, owner=name, lease_seconds=60):
                mine.extend(c.delivery_id for c in claims)
        except BaseException as exc:  # surfaced below: a thread's exception would be lost
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}", db)) for i, db in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in workers:
        db.dispose()
    assert failures == []
    everything = [i for ids in got.values() for i in ids]
    assert len(everything) == 30
    assert len(set(everything)) == 30


def test_postgres_skips_rows_locked_by_another_claimer(store, add, now, database_url) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
    for i in range(3):
        _enroll(store, add(f"p{i}@example.org"), now)
    d = models.DeliveryRow
    with store.engine.connect() as other:
        # Another worker is mid-claim: it holds a row lock on the oldest delivery.
        locked = other.execute(
            sa.select(d.id).order_by(d.due_at, d.id).limit(1).with_for_update()
        ).scalar_one()
        claims = store.claim_due(now=now, limit=10, owner="w", lease_seconds=60)
        other.rollback()
    assert len(claims) == 2
    assert locked not in {c.delivery_id for c in claims}


def test_the_event_log_records_each_outcome_and_drops_a_stale_one(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [stale] = store.claim_due(now=now, limit=5, owner="old", lease_seconds=60)
    assert store.rescue_expired(now=now + 2 * MINUTE) == 1
    [fresh] = store.claim_due(now=now + 2 * MINUTE, limit=5, owner="new", lease_seconds=60)
    assert not store.mark_failed(stale.delivery_id, owner="old", now=now, error="late")
    retry_at = now + 10 * MINUTE
    assert store.mark_retry(
        fresh.delivery_id,
        owner="new",
        now=now + 3 * MINUTE,
        error="421 try later",
        retry_at=retry_at,
    )
    [again] = store.claim_due(now=retry_at, limit=5, owner="new", lease_seconds=60)
    assert store.mark_failed(again.delivery_id, owner="new", now=retry_at, error="550 5.7.1 no")
    events = [(e.kind, e.step_id, e.detail) for e in db_rows.events(store, jane.id)]
    assert events[-3:] == [
        (Kind.RETRIED, "welcome", "lease expired"),
        (Kind.RETRIED, "welcome", "421 try later"),
        (Kind.FAILED, "welcome", "550 5.7.1 no"),
    ]


def test_a_bounce_records_the_failure_and_the_suppression_in_one_transaction(
    store, add, now
) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert store.mark_bounced(claim.delivery_id, owner="w", now=now, error="550 5.1.1 unknown")
    kinds = [e.kind for e in db_rows.events(store, jane.id)]
    assert kinds[-2:] == [Kind.FAILED, Kind.SUPPRESSED]
    with pytest.raises(drip_store.Suppressed):
        add("JANE@example.org")
    sent = planning.Planned(step_id="x", due_at=now)
    assert not store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=sent)
