"""Subscribing, confirming and leaving: the patient's life cycle, as staff and the web app drive it.

State changes go through the store, which records each in the append-only event log. A pending
subscriber gets the double opt-in email (queued in the outbox, so it is sent once) and nothing
else until they confirm; confirming enrolls them in their cause's sequence.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from drip import contacts, errors, planning, sequences, store, tokens
from drip.service.app import App

# What the patient agreed to, where, when and from which address: the store's one Consent.
Consent = store.Consent


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise errors.InvalidInput(
            f"{name!r} is not an IANA time zone (use e.g. Europe/Lisbon, America/Chicago)"
        ) from None
    return name


def check_cause(plan: sequences.Plan, slug: str) -> str:
    if plan.cause(slug) is None or plan.sequence(slug) is None:
        known = ", ".join(c.slug for c in plan.causes)
        raise errors.InvalidInput(f"{slug!r} is not a cause in sequences.yaml (one of: {known})")
    return slug


def subscribe(
    app: App,
    *,
    email: str,
    first_name: str,
    cause: str,
    timezone: str | None,
    consent: Consent,
    confirmed: bool,
    now: datetime,
) -> store.Subscriber:
    """Add a subscriber: pending with the opt-in email queued, or active with the first step
    queued (consent given elsewhere). Either way in one transaction: nothing half done."""
    zone = check_timezone(timezone or app.plan.clinic.timezone)
    cause = check_cause(app.plan, cause)
    return app.store.add_subscriber(
        email=contacts.normalise(email),
        first_name=contacts.first_name(first_name),
        cause=cause,
        timezone=zone,
        consent=consent,
        confirmed=confirmed,
        now=now,
        start=start_for(app, cause, zone, confirmed=confirmed, now=now),
    )


def start_for(
    app: App, cause: str, timezone: str, *, confirmed: bool, now: datetime
) -> store.Start | None:
    """What a new subscriber gets first: the first step of their cause's sequence when their
    consent was confirmed elsewhere, else the opt-in email (`drip import` asks once per cause
    and time zone)."""
    return (
        _first_step(app, cause, timezone, now=now) if confirmed else store.Start.confirmation(now)
    )


def confirm(app: App, uid: str, *, now: datetime, ip: str | None = None) -> store.Subscriber:
    """Double opt-in done: activate and queue the first step not yet received (someone who
    left and came back goes on where they were), atomically; idempotent: a second click
    changes nothing. `ip`: where the confirmation came from, recorded with the consent."""
    before = app.store.subscriber_by_uid(uid)
    if before is None:
        raise errors.NotFound("this subscription no longer exists")
    sequence = app.plan.sequence(before.cause)
    sent = app.store.sent_steps(before.id)
    done = planning.done_steps(app.plan, sequence, sent) if sequence else frozenset()
    start = _first_step(app, before.cause, before.timezone, now=now, done=done)
    return app.store.confirm(uid, now=now, start=start, ip=ip)


def confirm_link(app: App, link: str, *, now: datetime) -> store.Subscriber:
    """Confirm with the link from the opt-in email, or just its token (as old as a link may
    be: DRIP_CONFIRM_LINK_DAYS)."""
    token = link.strip().rstrip("/").rpartition("/")[2]
    max_age = timedelta(days=app.config.confirm_link_days)
    uid = tokens.read(app.keys, tokens.Purpose.CONFIRM, token, now=now, max_age=max_age)
    return confirm(app, uid, now=now)


def _first_step(
    app: App, cause: str, timezone: str, *, now: datetime, done: frozenset[str] = frozenset()
) -> store.Start | None:
    """The first step of the cause's sequence not done yet, and when it is due."""
    sequence = app.plan.sequence(cause)
    if sequence is None:
        raise errors.InvalidInput(f"{cause!r} has no sequence in sequences.yaml")
    first = planning.next_step(
        sequence=sequence,
        sent=done,
        last_sent_at=None,
        enrolled_at=now,
        tz=zoneinfo.ZoneInfo(timezone),
        window=app.plan.window,
    )
    if first is None:
        return None
    return store.Start(
        sequence=sequence.cause,
        first=first,
    )


def change_cause(app: App, uid: str, cause: str, *, now: datetime) -> store.Subscriber:
    """The patient changed their answer. What follows is `on_cause_change` in sequences.yaml:
    switch (to the new cause's sequence, skipping content already received), restart (the new
    sequence from its first step) or ignore (only the recorded cause changes)."""
    check_cause(app.plan, cause)
    before = app.store.subscriber_by_uid(uid)
    if before is None:
        raise errors.NotFound("this subscription no longer exists")
    moving = before.state in (store.SubscriberState.ACTIVE, store.SubscriberState.PAUSED)
    policy = app.plan.on_cause_change
    if before.cause == cause or not moving or policy is sequences.CauseChange.IGNORE:
        # a pending subscriber is enrolled in the new cause's sequence when they confirm
        return app.store.change_cause(uid, cause, now=now)
    sequence = app.plan.sequence(cause)
    assert sequence is not None  # check_cause
    done = planning.done_steps(app.plan, sequence, app.store.sent_steps(before.id))
    return app.store.change_cause(
        uid,
        cause,
        now=now,
        stop=before.cause,
        start=_first_step(app, cause, before.timezone, now=now, done=done),
    )


def change_cause_by_email(app: App, email: str, cause: str, *, now: datetime) -> store.Subscriber:
    """`change_cause` for a patient known by address (staff: the patient phoned)."""
    return change_cause(app, _known(app, email).uid, cause, now=now)


def _known(app: App, email: str) -> store.Subscriber:
    subscriber = app.store.subscriber_by_email(contacts.normalise(email))
    if subscriber is None:
        raise errors.NotFound(f"{email} is not subscribed")
    return subscriber


def unsubscribe(app: App, email: str, *, now: datetime) -> store.Subscriber:
    """Staff action (the patient phoned). Pending deliveries are cancelled at once, and the
    dispatcher re-checks the state at send time, so nothing more goes out."""
    return app.store.set_state(
        _known(app, email).uid,
        store.SubscriberState.UNSUBSCRIBED,
        now=now,
        event=store.EventKind.UNSUBSCRIBED,
    )
