"""`drip lookup EMAIL`: what drip holds about one patient, for staff ("why did I get this?").

State, cause (staff-only output: a cause is health data, shown here because staff must answer
the patient, and nowhere a URL, a log line or a header could carry it), the consent record,
the suppression, every delivery with its time and outcome, opens and clicks if tracked, and the
next step due. Read-only.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from drip import config, contacts, store

DS = store.DeliveryState


@dataclass(frozen=True, kw_only=True)
class Lookup:
    email: str
    history: store.History | None  # None: no subscriber with this address
    suppressed: store.SuppressionReason | None

    @property
    def next_due(self) -> store.DeliveryRecord | None:
        """The delivery queued next (at most one is pending per patient)."""
        if self.history is None:
            return None
        pending = [d for d in self.history.deliveries if d.state is DS.PENDING]
        return min(pending, key=lambda d: d.due_at) if pending else None


def lookup(cfg: config.Config, email: str) -> Lookup:
    address = contacts.normalise(email)
    db = store.Store(cfg.database_url, suppression_key=cfg.suppression_key)
    try:
        history = db.history(address)
        suppressed = history.suppressed if history else db.suppression(address)
    finally:
        db.dispose()
    return Lookup(email=address, history=history, suppressed=suppressed)


def _at(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _outcome(record: store.DeliveryRecord) -> str:
    said = record.state.value
    if record.bounced_at is not None:
        said = "bounced"
    if record.last_error and record.state is not DS.SENT:
        said += f": {record.last_error}"
    if record.attempts > 1 or (record.attempts and record.state is DS.PENDING):
        said += f" ({record.attempts} attempts)"
    opened = [h for h in record.hits if h.kind is store.TrackingKind.OPENED]
    clicked = [h for h in record.hits if h.kind is store.TrackingKind.CLICKED]
    if opened:
        said += f"; opened {_at(opened[0].at)}"
    if clicked:
        said += f"; clicked {len(clicked)}×, first {_at(clicked[0].at)}"
    return said


def text(found: Lookup) -> str:
    if found.history is None:
        suppressed = (
            f"; the address is suppressed ({found.suppressed.value}): drip sends it nothing"
            if found.suppressed
            else ""
        )
        return f"{found.email}: no subscriber with this address{suppressed}"
    who = found.history.subscriber
    consent = who.consent
    lines = [
        f"{who.email}: {who.state.value}; first name {who.first_name or '(none)'!s}; "
        f"time zone {who.timezone}",
        f"cause: {who.cause}    (staff only: a patient's cause is health data)",
        f"signed up: {_at(who.created_at)}; consent {_at(consent.at)} via {consent.source}, "
        f"form version {consent.version or '(none)'}, from {consent.ip or '(no address)'}",
        f'  agreed to: "{consent.text}"',
        f"confirmed: {_at(who.confirmed_at) or 'not yet'}"
        + (f" from {who.confirmed_ip}" if who.confirmed_ip else ""),
        f"suppressed: {found.suppressed.value if found.suppressed else 'no'}",
        f"deliveries ({len(found.history.deliveries)}):",
    ]
    for record in found.history.deliveries:
        when = _at(record.sent_at or record.due_at)
        lines.append(f"  {when}  {record.sequence}/{record.step_id}  {_outcome(record)}")
    lines.append(_next(found))
    return "\n".join(lines)


def _next(found: Lookup) -> str:
    record = found.next_due
    if record is None or found.history is None:
        return "next: nothing queued"
    zone = zoneinfo.ZoneInfo(found.history.subscriber.timezone)
    local = record.due_at.astimezone(zone)
    return (
        f"next: {record.sequence}/{record.step_id}, due {_at(record.due_at)} "
        f"({local:%a %d %b %H:%M} in {found.history.subscriber.timezone})"
    )


def as_json(found: Lookup) -> str:
    data: dict[str, object] = {
        "email": found.email,
        "found": found.history is not None,
        "suppressed": found.suppressed.value if found.suppressed else None,
    }
    if found.history is not None:
        who = found.history.subscriber
        data["subscriber"] = {
            "state": who.state.value, "first_name": who.first_name, "cause": who.cause,
            "timezone": who.timezone, "created_at": _iso(who.created_at),
            "confirmed_at": _iso(who.confirmed_at), "confirmed_ip": who.confirmed_ip,
        }  # fmt: skip
        data["consent"] = {
            "at": _iso(who.consent.at), "source": who.consent.source, "text": who.consent.text,
            "version": who.consent.version, "ip": who.consent.ip,
        }  # fmt: skip
        data["deliveries"] = [_delivery(d) for d in found.history.deliveries]
        data["events"] = [
            {"kind": e.kind.value, "at": _iso(e.at), "sequence": e.sequence, "step": e.step_id}
            for e in found.history.events
        ]
        data["next"] = _delivery(found.next_due) if found.next_due else None
    return json.dumps(data, ensure_ascii=False, indent=2)


def _delivery(record: store.DeliveryRecord) -> dict[str, object]:
    return {
        "sequence": record.sequence, "step": record.step_id, "state": record.state.value,
        "due_at": _iso(record.due_at), "sent_at": _iso(record.sent_at),
        "attempts": record.attempts, "error": record.last_error,
        "bounced_at": _iso(record.bounced_at),
        "hits": [{"kind": h.kind.value, "at": _iso(h.at)} for h in record.hits],
    }  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
