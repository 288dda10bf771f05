"""Subscriber operations: sign-up, confirmation, state changes, cause changes, erasure."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from drip import contacts, errors
from drip.store import base, limits, models, outbox, rows, values

S = values.SubscriberState
_Row = models.SubscriberRow

# set_state: the states each target may be reached from (unsubscribe/bounce: from any).
_FROM: dict[values.SubscriberState, frozenset[values.SubscriberState]] = {
    S.PAUSED: frozenset({S.ACTIVE, S.PAUSED}),
    S.ACTIVE: frozenset({S.PAUSED, S.ACTIVE}),
    S.UNSUBSCRIBED: frozenset({S.PENDING, S.ACTIVE, S.PAUSED, S.UNSUBSCRIBED, S.BOUNCED}),
    S.BOUNCED: frozenset({S.PENDING, S.ACTIVE, S.PAUSED, S.UNSUBSCRIBED, S.BOUNCED}),
}
_DEFAULT_EVENT = {
    S.PAUSED: values.EventKind.PAUSED,
    S.ACTIVE: values.EventKind.RESUMED,
    S.UNSUBSCRIBED: values.EventKind.UNSUBSCRIBED,
    S.BOUNCED: values.EventKind.SUPPRESSED,
}
_SUPPRESS_AS = {
    S.UNSUBSCRIBED: values.SuppressionReason.UNSUBSCRIBED,
    S.BOUNCED: values.SuppressionReason.BOUNCED,
}


class SubscriberOps(base.StoreBase):
    def add_subscriber(
        self,
        *,
        email: str,
        first_name: str,
        cause: str,
        timezone: str,
        consent: values.Consent,
        now: datetime,
        confirmed: bool,
        start: values.Start | None = None,
    ) -> values.Subscriber:
        """Record a sign-up (pending, or active when consent was confirmed elsewhere), and
        queue `start` (the opt-in email, or the first step) in the same transaction.

        `email` is taken as checked at the door (`drip.contacts.normalise`). Raises Suppressed
        for a suppressed address, AlreadySubscribed for a known one.
        """
        address = email.strip()
        answers = _answers(first_name, cause, timezone, consent, now=now)
        try:
            with self._write() as conn:
                self._refuse_known(conn, address)
                state = S.ACTIVE if confirmed else S.PENDING
                new_id = _insert(conn, address, answers, now=now, state=state)
                rows.add_event(
                    conn, new_id, values.EventKind.SUBSCRIBED, now=now, detail=consent.source
                )
                if confirmed:
                    rows.add_event(conn, new_id, values.EventKind.CONFIRMED, now=now)
                if start is not None:
                    outbox.start(conn, new_id, start, now=now)
                return _get(conn, _Row.id == new_id)
        except sa.exc.IntegrityError:
            # Another sign-up with the same address won the race between check and insert.
            with self._read() as conn:
                self._refuse_known(conn, address)
            raise

    def sign_up(
        self,
        *,
        email: str,
        first_name: str,
        cause: str,
        timezone: str,
        consent: values.Consent,
        now: datetime,
        resend: bool = True,
    ) -> values.SignUp:
        """A sign-up from the web form, whatever the address's past, in one transaction.

        New, or pending still: the answers recorded and the opt-in email queued (unless
        `resend` is False: one went out too recently). Left before (unsubscribed, bounced,
        erased): pending again, with this consent; the suppression stays until they confirm.
        Already confirmed: nothing changes. `email` as checked at the door."""
        address = email.strip()
        answers = _answers(first_name, cause, timezone, consent, now=now)
        try:
            return self._sign_up(address, answers, consent.source, now=now, resend=resend)
        except sa.exc.IntegrityError:
            # A sign-up of the same new address won the race: this one now finds it.
            return self._sign_up(address, answers, consent.source, now=now, resend=resend)

    def _sign_up(
        self, address: str, answers: dict[str, object], source: str, *, now: datetime, resend: bool
    ) -> values.SignUp:
        with self._write() as conn:
            found = _find(conn, _Row.email_normalised == contacts.comparable(address))
            if found is not None and found.state in (S.ACTIVE, S.PAUSED):
                return values.SignUp(
                    subscriber=found, outcome=values.SignUpOutcome.KNOWN, confirmation_queued=False
                )
            if found is None:
                outcome = values.SignUpOutcome.NEW
                subscriber_id = _insert(conn, address, answers, now=now, state=S.PENDING)
                rows.add_event(
                    conn, subscriber_id, values.EventKind.SUBSCRIBED, now=now, detail=source
                )
            else:
                subscriber_id = found.id
                rejoined = found.state is not S.PENDING
                outcome = (
                    values.SignUpOutcome.REJOINED if rejoined else values.SignUpOutcome.UPDATED
                )
                _update(conn, found.id, state=S.PENDING, confirmed_at=None, **answers)
                if rejoined:
                    rows.add_event(
                        conn, found.id, values.EventKind.SUBSCRIBED, now=now, detail=source
                    )
            queued = (resend or outcome is values.SignUpOutcome.NEW) and outbox.confirmation(
                conn, subscriber_id, now=now
            )
            return values.SignUp(
                subscriber=_get(conn, _Row.id == subscriber_id),
                outcome=outcome,
                confirmation_queued=queued,
            )

    def resend_confirmation(self, uid: str, *, now: datetime) -> bool:
        """Another opt-in email for a subscriber still pending (their link expired); False when
        they are not pending, or one is still waiting to go."""
        with self._write() as conn:
            found = _by_uid(conn, uid)
            return found.state is S.PENDING and outbox.confirmation(conn, found.id, now=now)

    def set_timezone(self, uid: str, timezone: str, *, now: datetime) -> values.Subscriber:
        """The patient's time zone (an IANA name, checked by the caller): their send window."""
        with self._write() as conn:
            found = _by_uid(conn, uid)
            _update(conn, found.id, timezone=timezone, updated_at=now)
            return _get(conn, _Row.id == found.id)

    def subscriber_by_email(self, email: str) -> values.Subscriber | None:
        with self._read() as conn:
            return _find(conn, _Row.email_normalised == contacts.comparable(email))

    def subscriber_by_uid(self, uid: str) -> values.Subscriber | None:
        with self._read() as conn:
            return _find(conn, _Row.uid == uid)

    def confirm(
        self,
        uid: str,
        *,
        now: datetime,
        start: values.Start | None = None,
        ip: str | None = None,
    ) -> values.Subscriber:
        """Double opt-in: pending → active, from the address `ip`, and `start` (the first step)
        queued in the same transaction; a suppression of the address (they had left) is
        lifted: they asked again. Confirming a confirmed subscriber changes nothing."""
        with self._write() as conn:
            found = _by_uid(conn, uid)
            if found.state in (S.ACTIVE, S.PAUSED):
                return found
            if found.state is not S.PENDING:
                raise errors.InvalidInput(
                    f"subscriber {uid} is {found.state.value} and cannot be confirmed; "
                    "they can sign up again from the form"
                )
            _update(
                conn, found.id, state=S.ACTIVE, confirmed_at=now, confirmed_ip=ip, updated_at=now
            )
            rows.lift_suppression(conn, self._hashes, found.email)
            rows.add_event(conn, found.id, values.EventKind.CONFIRMED, now=now)
            if start is not None:
                outbox.start(conn, found.id, start, now=now)
            return _get(conn, _Row.id == found.id)

    def set_state(
        self,
        uid: str,
        state: values.SubscriberState,
        *,
        now: datetime,
        event: values.EventKind | None = None,
    ) -> values.Subscriber:
        """Pause, resume (→ active), unsubscribe or mark bounced; a repeat changes nothing.

        Unsubscribe and bounce also add a suppression, cancel pending deliveries and stop
        enrollments. Pausing keeps pending deliveries: they are not claimed until resumed.
        """
        allowed = _FROM.get(state)
        if allowed is None:
            raise errors.InvalidInput(
                f"state {state.value!r} cannot be set directly "
                "(use confirm() for active-after-pending, erase() for erasure)"
            )
        with self._write() as conn:
            found = _by_uid(conn, uid)
            if found.state is state:
                return found
            if found.state not in allowed:
                raise errors.InvalidInput(
                    f"subscriber {uid} is {found.state.value} and cannot become {state.value}"
                )
            change(conn, self._hashes, found, state, now=now, event=event)
            return _get(conn, _Row.id == found.id)

    def change_cause(
        self,
        uid: str,
        cause: str,
        *,
        now: datetime,
        stop: str | None = None,
        start: values.Start | None = None,
    ) -> values.Subscriber:
        """Record a new cause; in the same transaction stop the enrollment in sequence `stop`
        (its pending deliveries cancelled) and `start` another (the caller applies the YAML's
        on_cause_change policy)."""
        with self._write() as conn:
            found = _by_uid(conn, uid)
            if found.cause == cause:
                return found
            _update(conn, found.id, cause=cause, updated_at=now)
            # The event says that the cause changed, never to what: it is health data.
            rows.add_event(conn, found.id, values.EventKind.CAUSE_CHANGED, now=now)
            if stop is not None:
                outbox.stop(conn, found.id, stop, now=now)
            if start is not None:
                outbox.start(conn, found.id, start, now=now)
            return _get(conn, _Row.id == found.id)

    def erase(self, uid: str, *, now: datetime) -> None:
        """Delete the subscriber, their enrollments, deliveries (and opens and clicks), events
        and the rate-limit counters keyed by their address or their consent's client
        addresses; keep one thing: the suppression entry, a keyed hash of the address."""
        with self._write() as conn:
            found = _by_uid(conn, uid)
            rows.suppress(conn, self._hashes, found.email, values.SuppressionReason.ERASED, now=now)
            for table in (models.EventRow, models.DeliveryRow, models.EnrollmentRow):
                conn.execute(sa.delete(table).where(table.subscriber_id == found.id))
            conn.execute(sa.delete(_Row).where(_Row.id == found.id))
            ips = [ip for ip in (found.consent.ip, found.confirmed_ip) if ip]
            keys = [limits.client_key(self._hashes, ip) for ip in ips]
            limits.forget(conn, [limits.address_key(self._hashes, found.email), *keys])

    def _refuse_known(self, conn: sa.Connection, address: str) -> None:
        reason = rows.suppression_reason(conn, self._hashes, address)
        if reason is not None:
            raise values.Suppressed(address, reason)
        existing = _find(conn, _Row.email_normalised == contacts.comparable(address))
        if existing is not None:
            raise values.AlreadySubscribed(address, existing.state)


def change(
    conn: sa.Connection,
    hashes: values.AddressHash,
    found: values.Subscriber,
    state: values.SubscriberState,
    *,
    now: datetime,
    event: values.EventKind | None = None,
) -> None:
    """Move `found` to `state`, with its event; leaving (unsubscribe, bounce) also suppresses
    the address, cancels pending deliveries and stops enrollments, in the same transaction."""
    _update(conn, found.id, state=state, updated_at=now)
    rows.add_event(conn, found.id, event or _DEFAULT_EVENT[state], now=now)
    if state in _SUPPRESS_AS:
        rows.suppress(conn, hashes, found.email, _SUPPRESS_AS[state], now=now)
        _stop_everything(conn, found.id, now=now)


def by_id(conn: sa.Connection, subscriber_id: int) -> values.Subscriber:
    return _get(conn, _Row.id == subscriber_id)


def _answers(
    first_name: str, cause: str, timezone: str, consent: values.Consent, *, now: datetime
) -> dict[str, object]:
    """The columns a sign-up fills in: the patient's answers and their consent."""
    return {
        "first_name": first_name.strip(),
        "cause": cause,
        "timezone": timezone,
        "consent_at": consent.at or now,
        "consent_source": consent.source,
        "consent_text": consent.text,
        "consent_ip": consent.ip,
        "consent_version": consent.version,
        "updated_at": now,
    }


def _insert(
    conn: sa.Connection, address: str, answers: dict[str, object], *, now: datetime, state: S
) -> int:
    new_id: int = conn.execute(
        sa.insert(_Row)
        .values(
            uid=uuid.uuid4().hex,
            email=address,
            email_normalised=contacts.comparable(address),
            state=state,
            created_at=now,
            confirmed_at=now if state is S.ACTIVE else None,
            **answers,
        )
        .returning(_Row.id)
    ).scalar_one()
    return new_id


def _find(conn: sa.Connection, where: sa.ColumnElement[bool]) -> values.Subscriber | None:
    row = conn.execute(sa.select(_Row.__table__).where(where)).one_or_none()
    return None if row is None else rows.to_subscriber(row)


def _get(conn: sa.Connection, where: sa.ColumnElement[bool]) -> values.Subscriber:
    found = _find(conn, where)
    if found is None:  # only after a write in the same transaction: cannot happen
        raise errors.NotFound("the subscriber just written is gone")
    return found


def _by_uid(conn: sa.Connection, uid: str) -> values.Subscriber:
    found = _find(conn, _Row.uid == uid)
    if found is None:
        raise errors.NotFound(
            f"no subscriber with id {uid!r}: the link may be old, or their data erased"
        )
    return found


def _update(conn: sa.Connection, subscriber_id: int, **changes: object) -> None:
    conn.execute(sa.update(_Row).where(_Row.id == subscriber_id).values(**changes))


def _stop_everything(conn: sa.Connection, subscriber_id: int, *, now: datetime) -> None:
    d, e = models.DeliveryRow, models.EnrollmentRow
    conn.execute(
        sa.update(d)
        .where(d.subscriber_id == subscriber_id, d.state == values.DeliveryState.PENDING)
        .values(state=values.DeliveryState.CANCELLED)
    )
    conn.execute(
        sa.update(e)
        .where(e.subscriber_id == subscriber_id, e.state == values.EnrollmentState.ACTIVE)
        .values(state=values.EnrollmentState.STOPPED, updated_at=now)
    )
