"""What the web app asks of the store, on SQLite and PostgreSQL: sign-ups whatever the
address's past, opt-in emails again, a confirmation that lifts a suppression, rate limits, and
a patient's data."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

import db_rows
from drip import store as drip_store
from drip.store import models

S, Out = drip_store.SubscriberState, drip_store.SignUpOutcome
CONSENT = drip_store.Consent(
    source="web:/subscribe", text="Yes, tips", ip="203.0.113.9", version="3"
)


def sign_up(store, now, email="ana@example.org", **changes):
    fields = {"first_name": "Ana", "cause": "muscle-injury", "timezone": "Europe/Lisbon"}
    fields.update(changes)
    return store.sign_up(email=email, consent=CONSENT, now=now, **fields)


def confirmations(store) -> list[tuple[str, str]]:
    d = models.DeliveryRow
    query = sa.select(d.step_id, d.state).where(d.sequence == "_confirm").order_by(d.id)
    with store.engine.connect() as conn:
        return [(row.step_id, row.state.value) for row in conn.execute(query)]


def test_a_new_address_is_pending_with_its_consent_and_one_opt_in_email(store, now) -> None:
    done = sign_up(store, now)
    assert (done.outcome, done.confirmation_queued) == (Out.NEW, True)
    assert done.subscriber.state is S.PENDING
    assert done.subscriber.consent == drip_store.Consent(
        source="web:/subscribe", text="Yes, tips", ip="203.0.113.9", version="3", at=now
    )
    assert confirmations(store) == [("confirm", "pending")]


def test_signing_up_again_while_pending_updates_the_answers_and_queues_no_second_email_in_line(
    store, now
) -> None:
    sign_up(store, now)
    again = sign_up(store, now + timedelta(minutes=1), cause="bone-encroachment")
    assert (again.outcome, again.confirmation_queued) == (Out.UPDATED, False)  # one still waits
    assert again.subscriber.cause == "bone-encroachment"
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=None)
    third = sign_up(store, now + timedelta(hours=2))
    assert third.confirmation_queued
    assert confirmations(store) == [("confirm", "sent"), ("confirm-2", "pending")]
    assert not sign_up(store, now + timedelta(hours=3), resend=False).confirmation_queued


def test_a_confirmed_address_changes_nothing(store, now) -> None:
    store.confirm(sign_up(store, now).subscriber.uid, now=now)
    known = sign_up(store, now, first_name="Mallory", cause="bone-encroachment")
    assert (known.outcome, known.confirmation_queued) == (Out.KNOWN, False)
    assert (known.subscriber.first_name, known.subscriber.cause) == ("Ana", "muscle-injury")


def test_who_left_may_join_again_and_their_suppression_goes_when_they_confirm(store, now) -> None:
    ana = sign_up(store, now).subscriber
    store.confirm(ana.uid, now=now, ip="203.0.113.10")
    store.set_state(ana.uid, S.UNSUBSCRIBED, now=now)
    assert db_rows.is_suppressed(store, "ana@example.org")
    back = sign_up(store, now + timedelta(days=1))
    assert (back.outcome, back.confirmation_queued) == (Out.REJOINED, True)
    assert back.subscriber.state is S.PENDING
    assert db_rows.is_suppressed(store, "ana@example.org")  # until they confirm
    confirmed = store.confirm(ana.uid, now=now + timedelta(days=1), ip="198.51.100.4")
    assert (confirmed.state, confirmed.confirmed_ip) == (S.ACTIVE, "198.51.100.4")
    assert not db_rows.is_suppressed(store, "ana@example.org")


def test_after_erasure_signing_up_again_works(store, now) -> None:
    ana = sign_up(store, now).subscriber
    store.erase(ana.uid, now=now)
    back = sign_up(store, now)
    assert back.outcome is Out.NEW and back.subscriber.uid != ana.uid
    store.confirm(back.subscriber.uid, now=now)
    assert not db_rows.is_suppressed(store, "ana@example.org")


def test_concurrent_sign_ups_of_one_address_make_one_subscriber(store, now, database_url) -> None:
    workers = [
        drip_store.Store(database_url, suppression_key=db_rows.SUPPRESSION_KEY) for _ in range(4)
    ]
    barrier, failures = threading.Barrier(4), []

    def work(db: drip_store.Store) -> None:
        barrier.wait()
        try:
            sign_up(db, now)
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(db,)) for db in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in workers:
        db.dispose()
    assert failures == []
    assert store.status(now=now).subscribers[S.PENDING] == 1
    assert confirmations(store) == [("confirm", "pending")]


def test_a_rate_limit_counts_in_the_database_and_says_how_long_to_wait(store, now) -> None:
    hour = timedelta(hours=1)
    assert store.hit("addr:x", now=now, window=hour, limit=2) is None
    assert store.hit("addr:x", now=now + timedelta(minutes=10), window=hour, limit=2) is None
    wait = store.hit("addr:x", now=now + timedelta(minutes=20), window=hour, limit=2)
    assert wait == timedelta(minutes=40)
    assert store.hit("addr:y", now=now, window=hour, limit=2) is None  # keys count apart
    assert store.hit("addr:x", now=now + hour, window=hour, limit=2) is None  # a new window
    assert store.purge_rate_limits(now=now + timedelta(days=2), older_than=timedelta(days=1)) == 2


def test_a_patients_data_is_everything_held_about_them_as_json(store, now) -> None:
    ana = sign_up(store, now).subscriber
    store.confirm(ana.uid, now=now, ip="203.0.113.10")
    store.set_timezone(ana.uid, "America/Chicago", now=now)
    data = store.data_of(ana.uid)
    assert data["subscriber"] == {
        "email": "ana@example.org", "first_name": "Ana", "cause": "muscle-injury",
        "timezone": "America/Chicago", "state": "active", "created_at": now.isoformat(),
        "confirmed_at": now.isoformat(), "consent_at": now.isoformat(),
        "consent_source": "web:/subscribe", "consent_text": "Yes, tips", "consent_version": "3",
        "consent_ip": "203.0.113.9", "confirmed_ip": "203.0.113.10", "updated_at": now.isoformat(),
    }  # fmt: skip
    assert [d["step_id"] for d in data["deliveries"]] == ["confirm"]
    assert [e["kind"] for e in data["events"]] == ["subscribed", "confirmed"]
    assert store.data_of("0" * 32) == {}
