"""`drip lookup EMAIL`: one patient's state, cause, consent, deliveries and next step, from the
database as the real dispatcher left it; read-only; an address drip does not know, said so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from drip import errors, mailer
from drip.service import lookup, operations, subscriptions
from drip.service.app import App

START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday, 15:00 in Lisbon: in the window


@pytest.fixture
def ana(app: App) -> str:
    subscriptions.subscribe(
        app, email="Ana@Example.com", first_name="Ana", cause="muscle-injury",
        timezone="Europe/Lisbon", confirmed=False, now=START,
        consent=subscriptions.Consent(
            source="web:sign-up page", text="Yes, tips.", ip="203.0.113.5", version="2"
        ),
    )  # fmt: skip
    now = START
    dispatcher = operations.dispatcher(
        app, mailer.MemoryMailer(), now=lambda: now, simulated=True, owner="t"
    )
    dispatcher.tick()
    found = app.store.subscriber_by_email("ana@example.com")
    assert found is not None
    subscriptions.confirm(app, found.uid, now=START + timedelta(minutes=5), ip="203.0.113.6")
    now = START + timedelta(minutes=5)
    dispatcher.tick()  # the welcome, at once (in the window)
    return "ana@example.com"


def _rows(app: App) -> list[tuple[object, ...]]:
    with app.store.engine.connect() as conn:
        return [
            tuple(row)
            for table in ("subscribers", "deliveries", "events", "suppressions")
            for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
        ]


def test_lookup_tells_why_a_patient_got_what_they_got(app: App, ana: str) -> None:
    before = _rows(app)
    found = lookup.lookup(app.config, "ANA@example.com")
    assert _rows(app) == before
    shown = lookup.text(found).splitlines()
    assert shown[0] == "Ana@example.com: active; first name Ana; time zone Europe/Lisbon"
    assert shown[1].startswith("cause: muscle-injury    (staff only")
    assert shown[2] == (
        "signed up: 2026-12-07 15:00 UTC; consent 2026-12-07 15:00 UTC via web:sign-up page, "
        "form version 2, from 203.0.113.5"
    )
    assert shown[3] == '  agreed to: "Yes, tips."'
    assert shown[4] == "confirmed: 2026-12-07 15:05 UTC from 203.0.113.6"
    assert shown[5] == "suppressed: no"
    assert shown[6:9] == [
        "deliveries (3):",
        "  2026-12-07 15:00 UTC  _confirm/confirm  sent",
        "  2026-12-07 15:05 UTC  muscle-injury/welcome  sent",
    ]
    assert shown[9] == "  2026-12-09 15:05 UTC  muscle-injury/heat-and-ice  pending"
    assert shown[10] == (
        "next: muscle-injury/heat-and-ice, due 2026-12-09 15:05 UTC (Wed 09 Dec 15:05 in "
        "Europe/Lisbon)"
    )


def test_lookup_as_json(app: App, ana: str) -> None:
    data = json.loads(lookup.as_json(lookup.lookup(app.config, ana)))
    assert data["found"] and data["suppressed"] is None
    assert data["subscriber"]["cause"] == "muscle-injury"
    assert data["consent"]["version"] == "2"
    assert [(d["step"], d["state"]) for d in data["deliveries"]] == [
        ("confirm", "sent"), ("welcome", "sent"), ("heat-and-ice", "pending")
    ]  # fmt: skip
    assert data["next"]["step"] == "heat-and-ice"
    assert [e["kind"] for e in data["events"]][:3] == ["subscribed", "sent", "confirmed"]


def test_an_address_drip_does_not_hold_and_one_it_only_remembers_as_suppressed(
    app: App, ana: str
) -> None:
    found = lookup.lookup(app.config, "bob@example.com")
    assert found.history is None
    assert lookup.text(found) == "bob@example.com: no subscriber with this address"
    assert json.loads(lookup.as_json(found)) == {
        "email": "bob@example.com", "found": False, "suppressed": None
    }  # fmt: skip
    subscriber = app.store.subscriber_by_email(ana)
    assert subscriber is not None
    app.store.erase(subscriber.uid, now=START)
    assert lookup.text(lookup.lookup(app.config, ana)) == (
        "ana@example.com: no subscriber with this address; the address is suppressed (erased): "
        "drip sends it nothing"
    )


def test_an_address_that_is_no_address(app: App) -> None:
    with pytest.raises(errors.InvalidInput):
        lookup.lookup(app.config, "ana@")
