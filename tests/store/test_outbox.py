"""The outbox: unique deliveries, claims with leases, fenced outcomes, release and rescue."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from drip import store as drip_store
from drip.store import models

DS = drip_store.DeliveryState
ES = drip_store.EnrollmentState
Planned = drip_store.Planned
MINUTE = timedelta(minutes=1)


def _enroll(store, subscriber, now, *, step="welcome", due=None, sequence="muscle-injury"):
    first = Planned(step_id=step, due_at=now if due is None else due)
    store.enroll(subscriber.id, sequence=sequence, first=first, now=now)


def _deliveries(store) -> list[tuple[str, str, DS]]:
    d = models.DeliveryRow
    with store.engine.connect() as conn:
        query = sa.select(d.sequence, d.step_id, d.state).order_by(d.id)
        return [tuple(row) for row in conn.execute(query)]


def _enrollment(store, subscriber_id: int) -> tuple[ES, str | None]:
    e = models.EnrollmentRow
    with store.engine.connect() as conn:
        query = sa.select(e.state, e.last_step_id).where(e.subscriber_id == subscriber_id)
        return tuple(conn.execute(query).one())


def test_a_step_is_queued_once_whatever_happens(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    _enroll(store, jane, now, due=now + timedelta(days=3))
    store.queue_confirmation(jane.id, due_at=now, now=now)
    store.queue_confirmation(jane.id, due_at=now, now=now)
    assert _deliveries(store) == [
        ("muscle-injury", "welcome", DS.PENDING),
        ("_confirm", "confirm", DS.PENDING),
    ]
    [claim] = store.claim_due(now=now, limit=1, owner="w", lease_seconds=60)
    assert claim.due_at == now  # the second enroll did not move the due time


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


def test_claims_only_due_pending_rows_oldest_first_up_to_the_limit(store, add, now) -> None:
    people = [add(f"p{i}@example.org") for i in range(4)]
    for minutes, person in zip([3, 1, 2, 10], people, strict=True):
        _enroll(store, person, now, due=now - timedelta(minutes=10) + minutes * MINUTE)
    claims = store.claim_due(now=now - 5 * MINUTE, limit=2, owner="w1", lease_seconds=90)
    assert [c.email for c in claims] == ["p1@example.org", "p2@example.org"]
    assert {(c.state, c.lease_owner, c.attempts) for c in claims} == {
        (drip_store.SubscriberState.ACTIVE, "w1", 0)
    }
    assert claims[0].lease_expires_at == now - 5 * MINUTE + timedelta(seconds=90)
    rest = store.claim_due(now=now - 5 * MINUTE, limit=10, owner="w2", lease_seconds=90)
    assert [c.email for c in rest] == ["p0@example.org"]
    assert store.claim_due(now=now - 5 * MINUTE, limit=10, owner="w3", lease_seconds=90) == []


def test_claim_carries_what_the_sender_needs(store, add, now) -> None:
    jane = add("Jane@Example.org", first_name="Jane", timezone="Europe/Berlin")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert (claim.subscriber_id, claim.subscriber_uid) == (jane.id, jane.uid)
    assert (claim.email, claim.first_name, claim.timezone) == (
        "Jane@example.org",
        "Jane",
        "Europe/Berlin",
    )
    assert (claim.sequence, claim.step_id) == ("muscle-injury", "welcome")
    assert len(claim.delivery_uid) == 32


def test_paused_subscribers_wait_and_pending_ones_get_only_the_opt_in(store, add, now) -> None:
    paused = add("paused@example.org")
    _enroll(store, paused, now)
    store.set_state(paused.uid, drip_store.SubscriberState.PAUSED, now=now)
    pending = add("pending@example.org", confirmed=False)
    store.queue_confirmation(pending.id, due_at=now, now=now)
    _enroll(store, pending, now)  # a mistake upstream must still not mail a pending person
    claims = store.claim_due(now=now, limit=10, owner="w", lease_seconds=60)
    assert [(c.email, c.sequence) for c in claims] == [("pending@example.org", "_confirm")]
    status = store.status(now=now)
    assert (status.due_now, status.held) == (0, 1)
    store.set_state(paused.uid, drip_store.SubscriberState.ACTIVE, now=now)
    claims = store.claim_due(now=now, limit=10, owner="w", lease_seconds=60)
    assert [c.email for c in claims] == ["paused@example.org"]


def test_concurrent_claimers_never_share_a_row(store, add, now, database_url) -> None:
    for i in range(30):
        _enroll(store, add(f"p{i}@example.org"), now)
    workers = [drip_store.Store(database_url) for _ in range(3)]
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


def test_mark_sent_queues_the_next_step_in_the_same_transaction(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    nxt = Planned(step_id="heat-and-ice", due_at=now + timedelta(days=2))
    assert store.mark_sent(
        claim.delivery_id, owner="w", now=now, message_id="<a@clinic.example>", next=nxt
    )
    assert _deliveries(store) == [
        ("muscle-injury", "welcome", DS.SENT),
        ("muscle-injury", "heat-and-ice", DS.PENDING),
    ]
    assert _enrollment(store, jane.id) == (ES.ACTIVE, "welcome")
    assert store.sent_step_ids(jane.id, "muscle-injury") == frozenset({"welcome"})
    assert store.status(now=now).next_due == now + timedelta(days=2)
    [claim] = store.claim_due(now=now + timedelta(days=2), limit=5, owner="w", lease_seconds=60)
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<b@c>", next=None)
    assert _enrollment(store, jane.id) == (ES.COMPLETED, "heat-and-ice")


def test_a_stale_worker_changes_nothing(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [stale] = store.claim_due(now=now, limit=5, owner="old", lease_seconds=60)
    assert store.rescue_expired(now=now + 2 * MINUTE) == 1
    [fresh] = store.claim_due(now=now + 2 * MINUTE, limit=5, owner="new", lease_seconds=60)
    assert fresh.delivery_id == stale.delivery_id
    nxt = Planned(step_id="heat-and-ice", due_at=now)
    for outcome in (
        store.mark_sent(stale.delivery_id, owner="old", now=now, message_id="<x@y>", next=nxt),
        store.mark_retry(stale.delivery_id, owner="old", now=now, error="e", retry_at=now),
        store.mark_failed(stale.delivery_id, owner="old", now=now, error="e"),
        store.mark_suppressed(stale.delivery_id, owner="old", now=now, reason="r"),
    ):
        assert outcome is False
    assert _deliveries(store) == [("muscle-injury", "welcome", DS.SENDING)]
    assert _enrollment(store, jane.id) == (ES.ACTIVE, None)
    assert [e.kind for e in store.events_for(jane.id)][-1] is drip_store.EventKind.RETRIED


def test_an_outcome_is_recorded_once(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    assert not store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    sent = [e for e in store.events_for(jane.id) if e.kind is drip_store.EventKind.SENT]
    assert len(sent) == 1


def test_retry_then_fail(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    retry_at = now + 10 * MINUTE
    assert store.mark_retry(
        claim.delivery_id, owner="w", now=now, error="421 try later", retry_at=retry_at
    )
    assert store.claim_due(now=retry_at - MINUTE, limit=5, owner="w", lease_seconds=60) == []
    [again] = store.claim_due(now=retry_at, limit=5, owner="w", lease_seconds=60)
    assert (again.delivery_id, again.attempts, again.due_at) == (claim.delivery_id, 1, retry_at)
    assert store.mark_failed(again.delivery_id, owner="w", now=retry_at, error="550 5.7.1 no")
    d = models.DeliveryRow
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(d.state, d.attempts, d.last_error)).one()
    assert tuple(row) == (DS.FAILED, 2, "550 5.7.1 no")
    events = [(e.kind, e.detail) for e in store.events_for(jane.id)][-2:]
    assert events == [
        (drip_store.EventKind.RETRIED, "421 try later"),
        (drip_store.EventKind.FAILED, "550 5.7.1 no"),
    ]


def test_mark_suppressed(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert store.mark_suppressed(claim.delivery_id, owner="w", now=now, reason="unsubscribed")
    assert _deliveries(store) == [("muscle-injury", "welcome", DS.SUPPRESSED)]


def test_release_hands_back_only_this_owners_claims(store, add, now) -> None:
    for i in range(3):
        _enroll(store, add(f"p{i}@example.org"), now)
    store.claim_due(now=now, limit=2, owner="leaving", lease_seconds=60)
    store.claim_due(now=now, limit=1, owner="staying", lease_seconds=60)
    assert store.release("leaving") == 2
    assert [state for _, _, state in _deliveries(store)] == [DS.PENDING, DS.PENDING, DS.SENDING]
    assert len(store.claim_due(now=now, limit=5, owner="next", lease_seconds=60)) == 2


def test_rescue_only_expired_leases(store, add, now) -> None:
    for i in range(2):
        _enroll(store, add(f"p{i}@example.org"), now)
    store.claim_due(now=now, limit=1, owner="short", lease_seconds=60)
    store.claim_due(now=now, limit=1, owner="long", lease_seconds=600)
    assert store.rescue_expired(now=now + 60 * timedelta(seconds=1)) == 0  # not yet < now
    assert store.rescue_expired(now=now + 2 * MINUTE) == 1
    [claim] = store.claim_due(now=now + 2 * MINUTE, limit=5, owner="w", lease_seconds=60)
    assert claim.email == "p0@example.org"


def test_stop_then_re_enroll_revives_cancelled_but_never_sent(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    nxt = Planned(step_id="heat-and-ice", due_at=now + MINUTE)
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=nxt)
    assert store.stop_enrollment(jane.id, sequence="muscle-injury", now=now) == 1
    assert _enrollment(store, jane.id) == (ES.STOPPED, "welcome")
    _enroll(store, jane, now, step="welcome")  # already sent: stays sent
    _enroll(store, jane, now, step="heat-and-ice", due=now + 5 * MINUTE)
    assert _deliveries(store) == [
        ("muscle-injury", "welcome", DS.SENT),
        ("muscle-injury", "heat-and-ice", DS.PENDING),
    ]
    assert _enrollment(store, jane.id) == (ES.ACTIVE, "welcome")
    assert store.status(now=now).next_due == now + 5 * MINUTE


def test_sent_into_a_stopped_enrollment_queues_nothing(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    store.stop_enrollment(jane.id, sequence="muscle-injury", now=now)  # cause switched mid-send
    nxt = Planned(step_id="heat-and-ice", due_at=now)
    assert store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=nxt)
    assert _deliveries(store) == [("muscle-injury", "welcome", DS.SENT)]
    assert _enrollment(store, jane.id) == (ES.STOPPED, "welcome")


def test_a_completed_enrollment_can_start_again(store, add, now) -> None:
    jane = add("jane@example.org")
    _enroll(store, jane, now)
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    assert _enrollment(store, jane.id) == (ES.COMPLETED, "welcome")
    _enroll(store, jane, now, step="rest")  # e.g. switched away and back, with a new step
    assert _enrollment(store, jane.id)[0] is ES.ACTIVE
    [again] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert again.step_id == "rest"
