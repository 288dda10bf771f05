"""The Outbox contract (what the dispatcher relies on), on memory, SQLite and PostgreSQL alike:
one delivery per step, leased claims oldest first, outcomes fenced by the lease."""

from __future__ import annotations

from datetime import datetime, timedelta

from outbox_world import NOW, TZ, World

from drip import planning, sequences, store

DS, SS, ES = store.DeliveryState, store.SubscriberState, store.EnrollmentState
MINUTE = timedelta(minutes=1)


def claim_one(world: World, *, owner: str = "w", at: datetime = NOW) -> store.Claim:
    [claim] = world.outbox.claim_due(now=at, limit=5, owner=owner, lease_seconds=60)
    return claim


def states(world: World) -> list[tuple[str, store.DeliveryState]]:
    return [(row.step_id, row.state) for row in world.deliveries()]


def test_a_step_is_queued_once_whatever_happens(world: World) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    world.enroll(jane, due=NOW + timedelta(days=3))
    assert states(world) == [("welcome", DS.PENDING)]
    assert claim_one(world).due_at == NOW  # the second enroll did not move the due time


def test_claims_only_due_pending_rows_oldest_first_up_to_the_limit(world: World) -> None:
    people = [world.patient(f"p{i}@example.org") for i in range(4)]
    for minutes, person in zip([3, 1, 2, 10], people, strict=True):
        world.enroll(person, due=NOW - 10 * MINUTE + minutes * MINUTE)
    at = NOW - 5 * MINUTE
    claims = world.outbox.claim_due(now=at, limit=2, owner="w1", lease_seconds=90)
    assert [c.email for c in claims] == ["p1@example.org", "p2@example.org"]
    assert {(c.state, c.lease_owner, c.attempts) for c in claims} == {(SS.ACTIVE, "w1", 0)}
    assert claims[0].lease_expires_at == at + timedelta(seconds=90)
    rest = world.outbox.claim_due(now=at, limit=10, owner="w2", lease_seconds=90)
    assert [c.email for c in rest] == ["p0@example.org"]
    assert world.outbox.claim_due(now=at, limit=10, owner="w3", lease_seconds=90) == []


def test_a_claim_carries_what_the_sender_needs_and_its_lease_runs_from_lease_from(
    world: World,
) -> None:
    jane = world.patient("Jane@example.org", timezone="America/Chicago")
    world.enroll(jane)
    real = NOW + timedelta(days=400)  # the lease clock is real time when `now` is simulated
    [claim] = world.outbox.claim_due(now=NOW, limit=5, owner="w", lease_seconds=60, lease_from=real)
    assert (claim.subscriber_id, claim.subscriber_uid) == (jane, world.uid(jane))
    assert (claim.email, claim.first_name, claim.timezone) == (
        "Jane@example.org",
        "Jane",
        "America/Chicago",
    )
    assert (claim.sequence, claim.step_id, claim.key) == (
        "muscle-injury",
        "welcome",
        ("muscle-injury", "welcome"),
    )
    assert len(claim.delivery_uid) == 32
    assert claim.lease_expires_at == real + timedelta(seconds=60)


def test_paused_subscribers_wait_and_pending_ones_get_only_the_opt_in(world: World) -> None:
    paused = world.patient("paused@example.org")
    world.enroll(paused)
    world.set_state(paused, SS.PAUSED)
    pending = world.patient("pending@example.org", state=SS.PENDING)
    world.confirmation(pending)
    world.enroll(pending)  # a mistake upstream must still not mail a pending person
    claims = world.outbox.claim_due(now=NOW, limit=10, owner="w", lease_seconds=60)
    assert [(c.email, c.sequence) for c in claims] == [
        ("pending@example.org", sequences.CONFIRM_SEQUENCE)
    ]
    world.set_state(paused, SS.ACTIVE)
    assert claim_one(world).email == "paused@example.org"


def test_mark_sent_queues_the_next_step_and_the_last_one_completes(world: World) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    claim = claim_one(world)
    nxt = planning.Planned(step_id="heat-and-ice", due_at=NOW + timedelta(days=2))
    assert world.outbox.mark_sent(
        claim.delivery_id, owner="w", now=NOW, message_id="<a@clinic.example>", next=nxt
    )
    assert states(world) == [("welcome", DS.SENT), ("heat-and-ice", DS.PENDING)]
    assert world.outbox.claim_due(now=NOW, limit=5, owner="w", lease_seconds=60) == []
    last = claim_one(world, at=NOW + timedelta(days=2))
    assert world.outbox.mark_sent(
        last.delivery_id, owner="w", now=NOW, message_id="<b@c>", next=None
    )
    world.enroll(jane, step="rest")  # e.g. switched away and back: a completed one restarts
    assert claim_one(world).step_id == "rest"


def test_recheck_reads_the_subscriber_as_they_are_now(world: World) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    claim = claim_one(world)
    world.outbox.mark_sent(claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=None)
    check = world.outbox.recheck(jane)
    assert check == store.Recheck(
        state=SS.ACTIVE, suppressed=False, sent=frozenset({("muscle-injury", "welcome")})
    )
    world.set_state(jane, SS.UNSUBSCRIBED)
    check = world.outbox.recheck(jane)
    assert check is not None and (check.state, check.suppressed) == (SS.UNSUBSCRIBED, True)
    assert world.outbox.recheck(jane + 1000) is None


def test_rechecks_reads_a_batch_of_subscribers_as_recheck_reads_each(world: World) -> None:
    jane, joe, gone = (world.patient(f"{name}@example.org") for name in ("jane", "joe", "gone"))
    for who in (jane, joe, gone):
        world.enroll(who)
    for claim in world.outbox.claim_due(now=NOW, limit=5, owner="w", lease_seconds=60):
        if claim.subscriber_id == jane:
            world.outbox.mark_sent(
                claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=None
            )
    world.set_state(joe, SS.UNSUBSCRIBED)
    checks = world.outbox.rechecks([jane, joe, jane, gone + 1000])
    assert checks == {who: world.outbox.recheck(who) for who in (jane, joe)}
    assert checks[jane].sent == frozenset({("muscle-injury", "welcome")})
    assert (checks[joe].state, checks[joe].suppressed) == (SS.UNSUBSCRIBED, True)
    assert world.outbox.rechecks([]) == {}


def test_standing_reads_the_state_and_the_suppression_of_the_claimed_address_now(
    world: World,
) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    email = claim_one(world).email
    assert world.outbox.standing(jane, email) == store.Standing(state=SS.ACTIVE, suppressed=False)
    assert world.outbox.standing(jane, "someone.else@example.org") is None  # not theirs now
    assert world.outbox.standing(jane + 1000, email) is None
    world.set_state(jane, SS.UNSUBSCRIBED)
    now = world.outbox.standing(jane, email)
    assert now == store.Standing(state=SS.UNSUBSCRIBED, suppressed=True)
    check = world.outbox.recheck(jane)
    assert check is not None and check.standing == now


def test_a_stale_worker_changes_nothing(world: World) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    stale = claim_one(world, owner="old")
    assert world.outbox.rescue_expired(now=NOW + 2 * MINUTE) == 1
    fresh = claim_one(world, owner="new", at=NOW + 2 * MINUTE)
    assert fresh.delivery_id == stale.delivery_id
    nxt = planning.Planned(step_id="heat-and-ice", due_at=NOW)
    sid, owner = stale.delivery_id, "old"
    for outcome in (
        world.outbox.mark_sent(sid, owner=owner, now=NOW, message_id="<x@y>", next=nxt),
        world.outbox.mark_retry(sid, owner=owner, now=NOW, error="e", retry_at=NOW),
        world.outbox.mark_failed(sid, owner=owner, now=NOW, error="e"),
        world.outbox.mark_bounced(sid, owner=owner, now=NOW, error="e"),
        world.outbox.mark_suppressed(sid, owner=owner, now=NOW, reason="r"),
        world.outbox.mark_skipped(sid, owner=owner, now=NOW, reason="r", next=nxt),
        world.outbox.defer(sid, owner=owner, due_at=NOW),
    ):
        assert outcome is False
    assert states(world) == [("welcome", DS.SENDING)]
    assert world.state_of(jane) is SS.ACTIVE


def test_an_outcome_is_recorded_once(world: World) -> None:
    world.enroll(world.patient("jane@example.org"))
    claim = claim_one(world)
    mark = world.outbox.mark_sent
    assert mark(claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=None)
    assert not mark(claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=None)


def test_a_retry_counts_an_attempt_and_waits_a_deferral_does_not(world: World) -> None:
    world.enroll(world.patient("jane@example.org"))
    claim = claim_one(world)
    retry_at = NOW + 10 * MINUTE
    assert world.outbox.mark_retry(
        claim.delivery_id, owner="w", now=NOW, error="421 try later", retry_at=retry_at
    )
    assert world.outbox.claim_due(now=retry_at - MINUTE, limit=5, owner="w", lease_seconds=60) == []
    again = claim_one(world, at=retry_at)
    assert (again.delivery_id, again.attempts, again.due_at) == (claim.delivery_id, 1, retry_at)
    opens = retry_at + timedelta(hours=9)
    assert world.outbox.defer(again.delivery_id, owner="w", due_at=opens, reason="window")
    [row] = world.deliveries()
    assert (row.state, row.attempts, row.due_at, row.last_error) == (DS.PENDING, 1, opens, "window")
    last = claim_one(world, at=opens)
    assert world.outbox.mark_failed(last.delivery_id, owner="w", now=opens, error="550 5.7.1 no")
    [row] = world.deliveries()
    assert (row.state, row.attempts, row.last_error) == (DS.FAILED, 2, "550 5.7.1 no")


def test_suppressed_and_skipped_deliveries_end_without_a_send(world: World) -> None:
    world.enroll(world.patient("jane@example.org"))
    world.enroll(world.patient("john@example.org"))
    first, second = world.outbox.claim_due(now=NOW, limit=5, owner="w", lease_seconds=60)
    assert world.outbox.mark_suppressed(first.delivery_id, owner="w", now=NOW, reason="left")
    nxt = planning.Planned(step_id="rest", due_at=NOW + MINUTE)
    assert world.outbox.mark_skipped(
        second.delivery_id, owner="w", now=NOW, reason="removed", next=nxt
    )
    assert states(world) == [
        ("welcome", DS.SUPPRESSED),
        ("welcome", DS.CANCELLED),
        ("rest", DS.PENDING),
    ]


def test_a_bounce_fails_the_delivery_and_suppresses_the_address_at_once(world: World) -> None:
    jane = world.patient("Jane@Example.org")
    world.enroll(jane)
    world.enroll(jane, sequence="bone-encroachment")  # another pending delivery of hers
    claim = world.outbox.claim_due(now=NOW, limit=1, owner="w", lease_seconds=60)[0]
    assert world.outbox.mark_bounced(claim.delivery_id, owner="w", now=NOW, error="550 5.1.1")
    assert states(world) == [("welcome", DS.FAILED), ("welcome", DS.CANCELLED)]
    assert world.state_of(jane) is SS.BOUNCED
    assert world.suppressed("jane@example.org")
    check = world.outbox.recheck(jane)
    assert check is not None and check.suppressed


def test_release_hands_back_only_this_owners_claims(world: World) -> None:
    for i in range(3):
        world.enroll(world.patient(f"p{i}@example.org"))
    world.outbox.claim_due(now=NOW, limit=2, owner="leaving", lease_seconds=60)
    world.outbox.claim_due(now=NOW, limit=1, owner="staying", lease_seconds=60)
    assert world.outbox.release("leaving") == 2
    assert [state for _, state in states(world)] == [DS.PENDING, DS.PENDING, DS.SENDING]
    assert len(world.outbox.claim_due(now=NOW, limit=5, owner="next", lease_seconds=60)) == 2


def test_rescue_only_expired_leases(world: World) -> None:
    for i in range(2):
        world.enroll(world.patient(f"p{i}@example.org"))
    world.outbox.claim_due(now=NOW, limit=1, owner="short", lease_seconds=60)
    world.outbox.claim_due(now=NOW, limit=1, owner="long", lease_seconds=600)
    assert world.outbox.rescue_expired(now=NOW + 60 * timedelta(seconds=1)) == 0  # not yet
    assert world.outbox.rescue_expired(now=NOW + 2 * MINUTE) == 1
    assert claim_one(world, at=NOW + 2 * MINUTE).email == "p0@example.org"


def test_a_rescue_spares_the_expired_claims_of_a_worker_still_recording(world: World) -> None:
    for i in range(3):
        world.enroll(world.patient(f"p{i}@example.org"))
    world.outbox.claim_due(now=NOW, limit=2, owner="alive", lease_seconds=60)
    world.outbox.claim_due(now=NOW, limit=1, owner="dead", lease_seconds=60)
    assert world.outbox.rescue_expired(now=NOW + 2 * MINUTE, sparing="alive") == 1
    assert [state for _, state in states(world)] == [DS.SENDING, DS.SENDING, DS.PENDING]
    assert world.outbox.rescue_expired(now=NOW + 2 * MINUTE) == 2  # between its batches


def test_stop_then_re_enroll_revives_what_was_cancelled_but_never_what_was_sent(
    world: World,
) -> None:
    jane = world.patient("jane@example.org", timezone=TZ)
    world.enroll(jane)
    claim = claim_one(world)
    nxt = planning.Planned(step_id="heat-and-ice", due_at=NOW + MINUTE)
    world.outbox.mark_sent(claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=nxt)
    world.stop(jane, sequence="muscle-injury")
    assert states(world) == [("welcome", DS.SENT), ("heat-and-ice", DS.CANCELLED)]
    world.enroll(jane, step="welcome")  # already sent: stays sent
    world.enroll(jane, step="heat-and-ice", due=NOW + 5 * MINUTE)
    assert states(world) == [("welcome", DS.SENT), ("heat-and-ice", DS.PENDING)]
    assert claim_one(world, at=NOW + 5 * MINUTE).due_at == NOW + 5 * MINUTE


def test_a_send_into_a_stopped_enrollment_queues_nothing(world: World) -> None:
    jane = world.patient("jane@example.org")
    world.enroll(jane)
    claim = claim_one(world)
    world.stop(jane, sequence="muscle-injury")  # the cause was switched mid-send
    nxt = planning.Planned(step_id="heat-and-ice", due_at=NOW)
    assert world.outbox.mark_sent(
        claim.delivery_id, owner="w", now=NOW, message_id="<m@c>", next=nxt
    )
    assert states(world) == [("welcome", DS.SENT)]
