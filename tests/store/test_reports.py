"""Reports: status counts, per-step results, event history."""

from __future__ import annotations

from datetime import timedelta

from drip import store as drip_store

SS, DS, Kind = drip_store.SubscriberState, drip_store.DeliveryState, drip_store.EventKind
Planned = drip_store.Planned


def _send(store, now, *, next_step=None) -> drip_store.Claim:
    [claim] = store.claim_due(now=now, limit=1, owner="w", lease_seconds=60)
    nxt = None if next_step is None else Planned(step_id=next_step, due_at=now)
    assert store.mark_sent(claim.delivery_id, owner="w", now=now, message_id="<m@c>", next=nxt)
    return claim


def test_status_counts_every_state(store, add, now) -> None:
    jane, john = add("jane@example.org"), add("john@example.org")
    add("pending@example.org", confirmed=False)
    for person, due in ((jane, now), (john, now + timedelta(hours=2))):
        store.enroll(person.id, sequence="x", first=Planned(step_id="a", due_at=due), now=now)
    status = store.status(now=now)
    assert status.subscribers == {
        SS.PENDING: 1,
        SS.ACTIVE: 2,
        SS.PAUSED: 0,
        SS.UNSUBSCRIBED: 0,
        SS.BOUNCED: 0,
        SS.ERASED: 0,
    }
    assert status.deliveries[DS.PENDING] == 2
    assert (status.due_now, status.held, status.next_due) == (1, 0, now)
    assert status.to_json()["next_due"] == "2026-03-02T15:00:00+00:00"
    assert "due now:     1" in status.describe()


def test_empty_status(store, now) -> None:
    status = store.status(now=now)
    assert (status.due_now, status.held, status.next_due) == (0, 0, None)
    assert set(status.deliveries.values()) == {0}


def test_step_stats_count_sends_failures_and_unsubscribes_after(store, add, now) -> None:
    jane, john = add("jane@example.org"), add("john@example.org")
    first = Planned(step_id="welcome", due_at=now)
    store.enroll(jane.id, sequence="muscle-injury", first=first, now=now)
    _send(store, now, next_step="heat-and-ice")
    _send(store, now + timedelta(minutes=1))
    store.set_state(jane.uid, SS.UNSUBSCRIBED, now=now + timedelta(minutes=2))
    store.enroll(john.id, sequence="muscle-injury", first=first, now=now)
    [claim] = store.claim_due(now=now, limit=1, owner="w", lease_seconds=60)
    store.mark_failed(claim.delivery_id, owner="w", now=now, error="550 5.1.1 unknown")
    assert store.step_stats() == [
        drip_store.StepStat(
            sequence="muscle-injury", step_id="heat-and-ice", sent=1, failed=0, unsubscribed_after=1
        ),
        drip_store.StepStat(
            sequence="muscle-injury", step_id="welcome", sent=1, failed=1, unsubscribed_after=0
        ),
    ]


def test_events_for_is_the_subscribers_history_in_order(store, add, now) -> None:
    jane = add("jane@example.org", confirmed=False)
    add("john@example.org")
    store.confirm(jane.uid, now=now + timedelta(minutes=3))
    first = Planned(step_id="welcome", due_at=now)
    store.enroll(jane.id, sequence="muscle-injury", first=first, now=now + timedelta(minutes=3))
    events = store.events_for(jane.id)
    assert [(e.kind, e.sequence, e.detail) for e in events] == [
        (Kind.SUBSCRIBED, None, "web:/signup"),
        (Kind.CONFIRMED, None, None),
        (Kind.ENROLLED, "muscle-injury", None),
    ]
    assert {e.subscriber_id for e in events} == {jane.id}
    assert events[1].at == now + timedelta(minutes=3)
