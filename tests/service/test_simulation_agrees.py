"""`drip simulate` and the daemon plan the same sends: the real dispatcher, on a simulated
clock and a real database, sends every sample patient's emails at the instants, and in the
order, that the simulation printed. The period spans three daylight-saving changes
(America/Chicago on 8 March 2026, Europe/London on 29 March, Australia/Sydney on 5 April)
and weekends the committed window (Mon–Fri 09:00–18:00) skips."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses, parsedate_to_datetime

from service_paths import SAMPLES

from drip import mailer
from drip.service import operations, simulation, subscriptions
from drip.service.app import App

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DAYS = 60


def _address(cause: str, patient: str) -> str:
    return f"{patient}.{cause}@example.com"


def test_the_dispatcher_sends_what_simulate_says_when_it_says(app: App) -> None:
    cfg = dataclasses.replace(app.config, samples=SAMPLES)
    simulated = simulation.simulate(cfg, days=DAYS, start=START)
    for timeline in simulated.timelines:
        subscriptions.subscribe(
            app,
            email=_address(timeline.cause, timeline.patient.id),
            first_name=timeline.patient.name,
            cause=timeline.cause,
            timezone=timeline.patient.timezone,
            consent=subscriptions.Consent(source="test", text="Sample."),
            confirmed=True,
            now=START,
        )
    outbox = mailer.MemoryMailer()
    now = START
    dispatcher = operations.dispatcher(app, outbox, now=lambda: now, simulated=True, owner="t")
    until = START + timedelta(days=DAYS)
    while (due := app.store.status(now=now).next_due) is not None and due <= until:
        now = max(now, due)
        dispatcher.tick()

    sent = []
    for message in outbox.sent:
        [(_, address)] = getaddresses([str(message["To"])])
        at = parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
        sent.append((address, str(message["Subject"]), at))
    planned = [
        (_address(s.cause, s.patient.id), s.subject, s.at)
        for s in sorted(simulated.sends, key=lambda s: s.at)
    ]
    assert len(planned) >= 100  # every sample patient of every cause, most of their steps
    assert sorted(sent, key=lambda row: (row[2], row[0])) == sorted(
        planned, key=lambda row: (row[2], row[0])
    )
    moved = [s for s in simulated.sends if s.moved]
    assert moved, "the period has weekends the window skips"
    offsets = {s.local.utcoffset() for s in simulated.sends if s.patient.id == "sam"}
    assert len(offsets) == 2, "Chicago's clocks change during the period"
