"""`Store.add_subscribers` (drip import's batches) leaves the rows `add_subscriber` leaves,
and refuses a row with the error `add_subscriber` raises."""

from __future__ import annotations

import uuid

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


def _stored(store, email: str) -> dict[str, list[tuple[object, ...]]]:
    """The same rows as the driver returns them, no SQLAlchemy type in between: what is in
    the database (on SQLite a timestamp's text, an enum's value), not what it reads back as."""
    skip = {"id", "uid", "email", "email_normalised", "subscriber_id"}
    out: dict[str, list[tuple[object, ...]]] = {}
    with store.engine.connect() as conn:
        sid = conn.execute(sa.select(T.SubscriberRow.id).where(T.SubscriberRow.email == email))
        where = {"subscribers": "id", "events": "subscriber_id", "enrollments": "subscriber_id",
                 "deliveries": "subscriber_id"}  # fmt: skip
        key = sid.scalar_one()
        for table, column in where.items():
            found = conn.exec_driver_sql(
                f"SELECT * FROM {table} WHERE {column} = {key} ORDER BY id"
            )
            names = list(found.keys())
            out[table] = [
                tuple(v for k, v in zip(names, row, strict=True) if k not in skip) for row in found
            ]
    return out


@pytest.mark.parametrize("confirmed", [True, False])
def test_a_batch_row_ends_as_a_single_sign_up_does(store, now, confirmed) -> None:
    one = _new("one@example.org", confirmed=confirmed, now=now)
    store.add_subscriber(consent=CONSENT, now=now, confirmed=confirmed, **one)
    batch = [drip_store.NewSubscriber(**_new(f"b{i}@example.org", confirmed=confirmed, now=now))  # type: ignore[arg-type]
             for i in range(3)]  # fmt: skip
    assert store.add_subscribers(batch, consent=CONSENT, confirmed=confirmed, now=now) == [None] * 3
    expected, stored = _rows(store, "one@example.org"), _stored(store, "one@example.org")
    assert expected["events"] and expected["deliveries"]
    for i in range(3):
        assert _rows(store, f"b{i}@example.org") == expected
        assert _stored(store, f"b{i}@example.org") == stored


def test_batch_ids_and_uids_are_what_single_sign_ups_get(store, now) -> None:
    """Ids follow on from the last subscriber's (as the column's default numbers them), and
    uids are distinct random version-4 UUIDs in hex, as `add_subscriber` makes them."""
    first = store.add_subscriber(consent=CONSENT, now=now, confirmed=True,
                                 **_new("one@example.org", confirmed=True, now=now))  # fmt: skip
    batch = [drip_store.NewSubscriber(**_new(f"b{i}@example.org", confirmed=True, now=now))  # type: ignore[arg-type]
             for i in range(50)]  # fmt: skip
    store.add_subscribers(batch, consent=CONSENT, confirmed=True, now=now)
    after = store.add_subscriber(consent=CONSENT, now=now, confirmed=True,
                                 **_new("two@example.org", confirmed=True, now=now))  # fmt: skip
    with store.engine.connect() as conn:
        subscribers = conn.execute(
            sa.select(T.SubscriberRow.id, T.SubscriberRow.uid).order_by(T.SubscriberRow.id)
        ).all()
        delivery_uids = conn.execute(sa.select(T.DeliveryRow.uid)).scalars().all()
    assert [row.id for row in subscribers] == list(range(first.id, after.id + 1))
    assert after.id == first.id + 51
    uids = [row.uid for row in subscribers] + list(delivery_uids)
    assert len(set(uids)) == len(uids) == 104
    for uid in uids:
        parsed = uuid.UUID(uid)
        assert parsed.hex == uid and parsed.version == 4 and parsed.variant == uuid.RFC_4122


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
