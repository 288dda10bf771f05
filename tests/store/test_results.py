"""Each step's results, a patient's history and tracking hits, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from drip import planning
from drip import store as drip_store
from drip.store import models, tracking

SS, DS, Kind = drip_store.SubscriberState, drip_store.DeliveryState, drip_store.TrackingKind
HOUR = timedelta(hours=1)


def _start(now: datetime, step: str = "welcome") -> drip_store.Start:
    return drip_store.Start(
        sequence="muscle-injury", first=planning.Planned(step_id=step, due_at=now)
    )


def _claim(store: drip_store.Store, now: datetime) -> list[drip_store.Claim]:
    return store.claim_due(now=now, limit=10, owner="w", lease_seconds=60)


def _send_all(store: drip_store.Store, now: datetime, then: str | None) -> list[drip_store.Claim]:
    claims = _claim(store, now)
    for claim in claims:
        following = planning.Planned(step_id=then, due_at=now + HOUR) if then else None
        assert store.mark_sent(
            claim.delivery_id, owner="w", now=now, message_id="<m@x>", next=following
        )
    return claims


def test_each_step_counts_sent_failed_bounced_suppressed_and_unsubscribes(store, add, now) -> None:
    people = [add(f"p{n}@example.org", start=_start(now)) for n in range(5)]
    _send_all(store, now, then="rest")  # 5 welcomes sent, 5 rests queued
    store.set_state(
        people[0].uid, SS.UNSUBSCRIBED, now=now + HOUR / 2, event=drip_store.EventKind.UNSUBSCRIBED
    )  # after the welcome: their rest is cancelled
    store.set_state(people[1].uid, SS.PAUSED, now=now)
    store.set_state(people[1].uid, SS.ACTIVE, now=now)
    later = now + HOUR
    claims = {c.email: c for c in _claim(store, later)}
    assert len(claims) == 4
    store.mark_bounced(
        claims["p1@example.org"].delivery_id, owner="w", now=later, error="550 5.1.1"
    )
    store.mark_failed(claims["p2@example.org"].delivery_id, owner="w", now=later, error="554 no")
    store.mark_suppressed(claims["p3@example.org"].delivery_id, owner="w", now=later, reason="left")
    store.mark_sent(
        claims["p4@example.org"].delivery_id, owner="w", now=later, message_id="<r@x>", next=None
    )
    store.set_state(
        people[4].uid, SS.UNSUBSCRIBED, now=later + HOUR, event=drip_store.EventKind.UNSUBSCRIBED
    )  # after the rest
    results = {(r.sequence, r.step_id): r for r in store.step_results()}
    assert list(results) == [("muscle-injury", "welcome"), ("muscle-injury", "rest")]
    welcome, rest = results.values()
    assert (welcome.sent, welcome.unsubscribed) == (5, 1)
    assert (rest.sent, rest.failed, rest.bounced, rest.suppressed, rest.unsubscribed) == (
        1, 1, 1, 1, 1
    )  # fmt: skip
    assert (welcome.opened, welcome.clicked) == (0, 0)


def test_opens_and_clicks_count_deliveries_once_each(store, add, now) -> None:
    for n in range(3):
        add(f"p{n}@example.org", start=_start(now))
    claims = _send_all(store, now, then=None)
    ids = store.keep_links(
        ["https://clinic.example/book", "https://clinic.example/book?x=1&y=2"], now=now
    )
    assert ids["https://clinic.example/book"] == tracking.link_id("https://clinic.example/book")
    assert store.keep_links(["https://clinic.example/book"], now=now) == {
        "https://clinic.example/book": ids["https://clinic.example/book"]
    }  # a second time: the same id, no second row
    assert (
        store.link_url(ids["https://clinic.example/book?x=1&y=2"])
        == "https://clinic.example/book?x=1&y=2"
    )
    assert store.link_url("0" * 16) is None
    first, second, _ = claims
    for _ in range(3):
        assert store.record_hit(first.delivery_uid, Kind.OPENED, now=now)
    store.record_hit(
        second.delivery_uid, Kind.CLICKED, now=now, link=ids["https://clinic.example/book"]
    )
    assert not store.record_hit("f" * 32, Kind.OPENED, now=now)
    [welcome] = store.step_results()
    assert (welcome.sent, welcome.opened, welcome.clicked) == (3, 2, 1)  # a click is an open
    with store.engine.connect() as conn:  # three fetches of one pixel: the first one is kept
        hits = conn.execute(sa.select(models.TrackingHitRow.kind)).scalars().all()
    assert sorted(k.value for k in hits) == ["clicked", "opened"]


def test_a_patient_s_history_and_the_hits_go_when_they_are_erased(store, add, now) -> None:
    ana = add("Ana@Example.org", start=_start(now))
    [claim] = _send_all(store, now, then="rest")
    store.record_hit(claim.delivery_uid, Kind.OPENED, now=now + HOUR)
    found = store.history("ana@example.org")
    assert found is not None and found.subscriber.uid == ana.uid
    assert found.suppressed is None
    welcome, rest = found.deliveries
    assert (welcome.step_id, welcome.state, welcome.sent_at) == ("welcome", DS.SENT, now)
    assert [(h.kind, h.at) for h in welcome.hits] == [(Kind.OPENED, now + HOUR)]
    assert (rest.state, rest.due_at, rest.sent_at) == (DS.PENDING, now + HOUR, None)
    assert [e.kind for e in found.events][:2] == [
        drip_store.EventKind.SUBSCRIBED,
        drip_store.EventKind.CONFIRMED,
    ]
    assert store.history("bob@example.org") is None
    assert store.data_of(ana.uid)["opens_and_clicks"] == [
        {"sequence": "muscle-injury", "step_id": "welcome", "kind": "opened",
         "at": (now + HOUR).isoformat()}
    ]  # fmt: skip
    store.erase(ana.uid, now=now)
    assert store.history("ana@example.org") is None
    assert store.suppression("ana@example.org") is drip_store.SuppressionReason.ERASED
    with store.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(models.TrackingHitRow)).scalar()
            == 0
        )


def test_a_bounce_is_dated_on_its_delivery(store, add, now) -> None:
    add("gone@example.org", start=_start(now))
    [claim] = _claim(store, now)
    store.mark_bounced(claim.delivery_id, owner="w", now=now, error="550 5.1.1 no such user")
    found = store.history("gone@example.org")
    assert found is not None and found.suppressed is drip_store.SuppressionReason.BOUNCED
    [record] = found.deliveries
    assert (record.state, record.bounced_at, record.last_error) == (
        DS.FAILED,
        now,
        "550 5.1.1 no such user",
    )
