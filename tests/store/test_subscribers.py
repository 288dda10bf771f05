"""Subscriber operations, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import db_rows
from drip import errors
from drip import store as drip_store
from drip.store import models

State = drip_store.SubscriberState
Kind = drip_store.EventKind


def test_add_normalises_the_domain_and_keeps_the_local_part(store, add, now) -> None:
    added = add("  Jane.Doe@Example.ORG ", confirmed=False)
    assert added.email == "Jane.Doe@example.org"
    assert added.state is State.PENDING
    assert added.confirmed_at is None
    assert added.consent == drip_store.Consent(
        source="web:/signup", text="Send me back-care tips", ip="203.0.113.7", at=now
    )
    assert re.fullmatch(r"[0-9a-f]{32}", added.uid)  # opaque: it says nothing of the person
    assert add("john@example.org").uid != added.uid
    assert store.subscriber_by_email("JANE.DOE@example.org") == added
    assert store.subscriber_by_uid(added.uid) == added
    assert store.subscriber_by_uid("0" * 32) is None


def test_datetimes_come_back_aware_utc(store, add) -> None:
    chicago_morning = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) - timedelta(hours=-6)
    added = add("jane@example.org", now=chicago_morning)
    found = store.subscriber_by_uid(added.uid)
    assert found is not None
    assert found.created_at == chicago_morning
    assert found.created_at.tzinfo is UTC


def test_same_address_in_another_case_is_already_subscribed(store, add) -> None:
    add("jane@example.org", confirmed=False)
    with pytest.raises(drip_store.AlreadySubscribed, match=r"'JANE@example\.org'.*pending") as info:
        add("JANE@EXAMPLE.ORG")
    assert info.value.state is State.PENDING
    assert isinstance(info.value, errors.InvalidInput)


def test_unique_email_is_enforced_by_the_database(store, add, now) -> None:
    add("jane@example.org")
    row = {
        "uid": "f" * 32,
        "email": "Jane@example.org",
        "email_normalised": "jane@example.org",
        "first_name": "J",
        "cause": "x",
        "timezone": "UTC",
        "state": State.ACTIVE,
        "consent_at": now,
        "consent_source": "cli",
        "consent_text": "t",
        "created_at": now,
        "updated_at": now,
    }
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.insert(models.SubscriberRow).values(**row))


def test_confirm_activates_once(store, add, now) -> None:
    added = add("jane@example.org", confirmed=False)
    later = now + timedelta(minutes=5)
    confirmed = store.confirm(added.uid, now=later)
    again = store.confirm(added.uid, now=later + timedelta(hours=1))
    assert (confirmed.state, confirmed.confirmed_at) == (State.ACTIVE, later)
    assert again == confirmed
    kinds = [e.kind for e in db_rows.events(store, added.id)]
    assert kinds == [Kind.SUBSCRIBED, Kind.CONFIRMED]


def test_confirm_unknown_uid_is_not_found(store, now) -> None:
    with pytest.raises(errors.NotFound, match=r"no subscriber with id '0{32}'"):
        store.confirm("0" * 32, now=now)


def test_pause_and_resume(store, add, now) -> None:
    added = add("jane@example.org")
    paused = store.set_state(added.uid, State.PAUSED, now=now)
    resumed = store.set_state(added.uid, State.ACTIVE, now=now + timedelta(days=1))
    assert (paused.state, resumed.state) == (State.PAUSED, State.ACTIVE)
    assert resumed.updated_at == now + timedelta(days=1)
    kinds = [e.kind for e in db_rows.events(store, added.id)]
    assert kinds == [Kind.SUBSCRIBED, Kind.CONFIRMED, Kind.PAUSED, Kind.RESUMED]


def test_pending_subscriber_cannot_be_paused(store, add, now) -> None:
    added = add("jane@example.org", confirmed=False)
    with pytest.raises(errors.InvalidInput, match="is pending and cannot become paused"):
        store.set_state(added.uid, State.PAUSED, now=now)


def test_erased_is_not_a_state_to_set(store, add, now) -> None:
    added = add("jane@example.org")
    with pytest.raises(errors.InvalidInput, match="erase"):
        store.set_state(added.uid, State.ERASED, now=now)


def test_unsubscribe_cancels_pending_and_suppresses(store, add, now) -> None:
    added = add("Jane@Example.org")
    db_rows.enroll(store, added.id, now=now, due=now + timedelta(hours=1))
    gone = store.set_state(added.uid, State.UNSUBSCRIBED, now=now)
    assert gone.state is State.UNSUBSCRIBED
    assert db_rows.is_suppressed(store, "jane@example.org")
    assert not db_rows.is_suppressed(store, "john@example.org")
    status = store.status(now=now + timedelta(days=1))
    assert status.deliveries[drip_store.DeliveryState.CANCELLED] == 1
    assert status.deliveries[drip_store.DeliveryState.PENDING] == 0
    assert store.claim_due(now=now + timedelta(days=1), limit=10, owner="w", lease_seconds=60) == []


def test_suppressed_address_cannot_subscribe_again(store, add, now) -> None:
    added = add("jane@example.org")
    store.erase(added.uid, now=now)
    with pytest.raises(drip_store.Suppressed, match="suppression list \\(erased\\)") as info:
        add("JANE@example.org")
    assert info.value.reason is drip_store.SuppressionReason.ERASED


def test_cause_change_event_says_nothing_about_the_cause(store, add, now) -> None:
    added = add("jane@example.org", cause="muscle-injury")
    changed = store.change_cause(added.uid, "lumbar-disc-disease", now=now)
    assert changed.cause == "lumbar-disc-disease"
    last = db_rows.events(store, added.id)[-1]
    assert (last.kind, last.sequence, last.step_id, last.detail) == (
        Kind.CAUSE_CHANGED,
        None,
        None,
        None,
    )


def test_erase_leaves_no_personal_data_anywhere(store, add, now) -> None:
    added = add("Jane.Secret@example.org", first_name="Janessa", cause="lumbar-disc-disease")
    other_consent = drip_store.Consent(source="web", text="Yes", ip="198.51.100.9")
    other = add("bob@example.org", consent=other_consent)
    db_rows.enroll(store, added.id, now=now, sequence="lumbar-disc-disease")
    [claim] = store.claim_due(now=now, limit=1, owner="w", lease_seconds=60)
    store.mark_retry(
        claim.delivery_id,
        owner="w",
        now=now,
        error="451 <Jane.Secret@example.org> greylisted",
        retry_at=now + timedelta(minutes=5),
    )
    db_rows.enroll(store, other.id, now=now)
    hour = timedelta(hours=1)
    for key in (store.address_key("jane.secret@example.org"), store.client_key("203.0.113.7")):
        store.hit(key, now=now, window=hour, limit=1)  # what a web sign-up counts
    store.hit(store.address_key("bob@example.org"), now=now, window=hour, limit=1)
    store.hit("send:hour", now=now, window=hour, limit=1)
    before = db_rows.every_row(store)
    store.erase(added.uid, now=now + timedelta(days=1))

    needles = ("jane.secret", "janessa", "lumbar", "203.0.113.7", added.uid)
    found = [
        (table.name, column.name)
        for table, column, text in _all_text(store)
        if any(needle in text.lower() for needle in needles)
    ]
    assert found == []
    assert store.subscriber_by_uid(added.uid) is None
    assert db_rows.is_suppressed(store, "jane.secret@EXAMPLE.org")
    # Every row of every table: what is left is what was there but hers, and one suppression
    after = db_rows.every_row(store)
    [kept] = after.pop("suppressions")
    assert (kept["email_hash"], kept["reason"]) == (
        drip_store.AddressHash(db_rows.SUPPRESSION_KEY).of("jane.secret@example.org"),
        drip_store.SuppressionReason.ERASED,
    )
    hers = {added.id}
    hers_too = {store.address_key("Jane.Secret@example.org"), store.client_key("203.0.113.7")}
    delivered = {d["id"] for d in before["deliveries"] if d["subscriber_id"] in hers}
    expected = {
        name: [
            row
            for row in rows
            if row.get("subscriber_id") not in hers
            and row.get("id") not in (hers if name == "subscribers" else ())
            and row.get("delivery_id") not in delivered
            and row.get("key") not in hers_too
        ]
        for name, rows in before.items()
        if name != "suppressions"
    }
    assert after == expected
    assert len(after["rate_limits"]) == 2  # bob's address and the send rate's
    assert [r["email_normalised"] for r in after["subscribers"]] == ["bob@example.org"]
    assert after["events"] and after["deliveries"]  # bob's stay


def _all_text(db: drip_store.Store) -> list[tuple[sa.Table, sa.Column[str], str]]:
    found = []
    with db.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            text_columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            for row in conn.execute(sa.select(*text_columns)):
                for column, value in zip(text_columns, row, strict=True):
                    if value is not None:
                        found.append((table, column, str(value)))
    return found


def _welcome(now: datetime) -> drip_store.Start:
    return drip_store.Start(
        sequence="muscle-injury", first=drip_store.Planned(step_id="welcome", due_at=now)
    )


def test_confirm_and_the_first_step_are_one_transaction(store, add, now, monkeypatch) -> None:
    pending = add("jane@example.org", confirmed=False)
    from drip.store import outbox

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(outbox, "queue", broken)
    with pytest.raises(RuntimeError):
        store.confirm(pending.uid, now=now, start=_welcome(now))
    still = store.subscriber_by_uid(pending.uid)
    assert still is not None and still.state is State.PENDING  # rolled back: confirm again
    monkeypatch.undo()
    store.confirm(pending.uid, now=now, start=_welcome(now))
    assert store.status(now=now).due_now == 1
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert (claim.sequence, claim.step_id) == ("muscle-injury", "welcome")


def test_a_sign_up_and_its_opt_in_email_are_one_transaction(store, add, now) -> None:
    add("jane@example.org", confirmed=False, start=drip_store.Start.confirmation(now))
    [claim] = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert (claim.sequence, claim.step_id) == (drip_store.CONFIRM_SEQUENCE, "confirm")


def test_a_cause_change_stops_one_sequence_and_starts_another_at_once(store, add, now) -> None:
    jane = add("jane@example.org", start=_welcome(now))
    bone = drip_store.Start(
        sequence="bone-encroachment", first=drip_store.Planned(step_id="welcome", due_at=now)
    )
    store.change_cause(jane.uid, "bone-encroachment", now=now, stop="muscle-injury", start=bone)
    claims = store.claim_due(now=now, limit=5, owner="w", lease_seconds=60)
    assert [(c.sequence, c.step_id) for c in claims] == [("bone-encroachment", "welcome")]
    assert store.status(now=now).deliveries[drip_store.DeliveryState.CANCELLED] == 1


def test_a_suppression_is_a_keyed_hash_and_an_old_plain_one_is_still_honoured(
    store, add, now, database_url
) -> None:
    jane = add("jane@example.org")
    store.set_state(jane.uid, State.UNSUBSCRIBED, now=now)
    with store.engine.connect() as conn:
        [kept] = conn.execute(sa.select(models.SuppressionRow.email_hash)).scalars().all()
    plain = hashlib.sha256(b"jane@example.org").hexdigest()
    assert kept != plain  # without the key, the hash says nothing of who it was
    another_key = drip_store.Store(database_url, suppression_key="k" * 40)
    try:
        with pytest.raises(drip_store.AlreadySubscribed):
            another_key.add_subscriber(
                email="jane@example.org", first_name="J", cause="x", timezone="UTC",
                consent=drip_store.Consent(source="t", text="t"), now=now, confirmed=True,
            )  # fmt: skip
        with store.engine.begin() as conn:  # an entry written by drip before version 0002
            conn.execute(
                sa.insert(models.SuppressionRow).values(
                    email_hash=hashlib.sha256(b"old@example.org").hexdigest(),
                    reason=drip_store.SuppressionReason.UNSUBSCRIBED,
                    at=now,
                )
            )
        with pytest.raises(drip_store.Suppressed):
            add("Old@Example.org")
    finally:
        another_key.dispose()


def test_without_a_suppression_key_nothing_is_checked_or_written(database_url, now) -> None:
    keyless = drip_store.Store(database_url)
    keyless.upgrade()
    try:
        with pytest.raises(errors.ConfigError, match="no suppression key is configured"):
            keyless.add_subscriber(
                email="jane@example.org", first_name="J", cause="x", timezone="UTC",
                consent=drip_store.Consent(source="t", text="t"), now=now, confirmed=True,
            )  # fmt: skip
        assert keyless.status(now=now).subscribers[State.ACTIVE] == 0
    finally:
        keyless.dispose()
