"""Reports: the status counts."""

from __future__ import annotations

from datetime import timedelta

import db_rows
from drip import store as drip_store

SS, DS, Kind = drip_store.SubscriberState, drip_store.DeliveryState, drip_store.EventKind


def test_status_counts_every_state(store, add, now) -> None:
    jane, john = add("jane@example.org"), add("john@example.org")
    add("pending@example.org", confirmed=False)
    for person, due in ((jane, now), (john, now + timedelta(hours=2))):
        db_rows.enroll(store, person.id, now=now, step="a", due=due, sequence="x")
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
