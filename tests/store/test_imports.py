"""`Store.add_subscribers` (drip import's batches) leaves the rows `add_subscriber` leaves,
and refuses a row with the error `add_subscriber` raises."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from drip import contacts, errors, planning
from drip import store as drip_store
from drip.store import models, rows

CONSENT = drip_store.Consent(source="import", text="Consent recorded by the clinic.")
T = models


def _new(email: str, *, confirmed: bool, now) -> dict[str, object]:
    first = planning.Planned(step_id="welcome", due_at=now)
    start = (
        drip_store.Start(sequence="muscle-injury", first=first)
        if confirmed
        else drip_store.Start.confirmation(now)
    )
    return {
        "email": contacts.normalise(email),
        "first_name": " Jane ",
        "cause": "muscle-injury",
        "timezone": "America/Chicago",
        "start": start,
    }


def _rows(store, email: str) -> dict[str, list[tuple[object, ...]]]:
    """Everything written for the subscriber at `email`, without ids, uids and the address."""
    s, e, n, d = T.SubscriberRow, T.EventRow, T.EnrollmentRow, T.DeliveryRow
    skip = {"id", "uid", "email", "email_normalised"}
    with store.engine.connect() as conn:
        sub = conn.execute(sa.select(s.__table__).where(s.email == email)).mappings().one()
        sid = sub["id"]
        return {
            "subscriber": [tuple(v for k, v in sub.items() if k not in skip)],
            "events": [tuple(r) for r in conn.execute(
                sa.select(e.kind, e.at, e.sequence, e.step_id, e.detail)
                .where(e.subscriber_id == sid).order_by(e.id))],
            "enrollments": [tuple(r) for r in conn.execute(
                sa.select(n.sequence, n.state, n.last_step_id, n.started_at, n.updated_at)
                .where(n.subscriber_id == sid))],
            "deliveries": [tuple(r) for r in conn.execute(
                sa.select(d.sequence, d.step_id, d.due_at, d.state, d.attempts, d.created_at)
                .where(d.subscriber_id == sid))],
        }  # fmt: skip


@pytest.mark.parametrize("confirmed", [True, False])
def test_a_batch_row_ends_as_a_single_sign_up_does(store, now, confirmed) -> None:
    one = _new("one@example.org", confirmed=confirmed, now=now)
    store.add_subscriber(consent=CONSENT, now=now, confirmed=confirmed, **one)
    batch = [drip_store.NewSubscriber(**_new(f"b{i}@example.org", confirmed=confirmed, now=now))  # type: ignore[arg-type]
             for i in range(3)]  # fmt: skip
    assert store.add_subscribers(batch, consent=CONSENT, confirmed=confirmed, now=now) == [None] * 3
    expected = _rows(store, "one@example.org")
    assert expected["events"] and expected["deliveries"]
    for i in range(3):
        assert _rows(store, f"b{i}@example.org") == expected


def test_refusals_are_the_errors_of_a_single_sign_up(store, add, now) -> None:
    add("known@example.org", confirmed=False)
    with store.engine.begin() as conn:
        rows.suppress(conn, store.hashes, "gone@example.org",
                      drip_store.SuppressionReason.UNSUBSCRIBED, now=now)  # fmt: skip
    emails = ["KNOWN@example.org", "gone@example.org", "new@example.org", "New@Example.org"]
    batch = [drip_store.NewSubscriber(**_new(e, confirmed=True, now=now)) for e in emails]  # type: ignore[arg-type]
    refused = store.add_subscribers(batch, consent=CONSENT, confirmed=True, now=now)
    expected: list[str | None] = []
    for new in batch[:2]:
        with pytest.raises(errors.InvalidInput) as single:
            store.add_subscriber(
                email=new.email, first_name="x", cause="muscle-injury",
                timezone="America/Chicago", consent=CONSENT, now=now, confirmed=True,
            )  # fmt: skip
        expected.append(str(single.value))
    with pytest.raises(errors.InvalidInput) as again:
        store.add_subscriber(
            email="New@example.org", first_name="x", cause="muscle-injury",
            timezone="America/Chicago", consent=CONSENT, now=now, confirmed=True,
        )  # fmt: skip
    assert [None if r is None else str(r) for r in refused] == [
        *expected,
        None,
        str(again.value),
    ]
    with store.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(T.SubscriberRow)).scalar()
    assert count == 2  # known, and new once


def test_a_sign_up_racing_the_batch_is_refused_and_the_rest_added(store, add, now) -> None:
    """The batch looks the addresses up, a web sign-up of one of them commits, the batch's
    INSERT hits the unique key: the batch is added again row by row, and that row is refused
    as already subscribed."""
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: a sign-up cannot land inside the batch")
    original = type(store)._refusals
    raced: list[bool] = []

    def racing(self, conn, batch, *, confirmed):
        found = original(self, conn, batch, confirmed=confirmed)
        if not raced:
            raced.append(True)
            add("race@example.org", confirmed=False)  # its own connection, committed
        return found

    emails = ["a@example.org", "race@example.org", "b@example.org"]
    batch = [drip_store.NewSubscriber(**_new(e, confirmed=True, now=now)) for e in emails]  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(store), "_refusals", racing)
        refused = store.add_subscribers(batch, consent=CONSENT, confirmed=True, now=now)
    assert [None if r is None else type(r).__name__ for r in refused] == [
        None,
        "AlreadySubscribed",
        None,
    ]
    assert "state: pending" in str(refused[1])
