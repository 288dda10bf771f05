"""`drip stats` on a database filled by a simulated run: the real dispatcher on a simulated
clock sends to a real SMTP server on loopback that refuses some recipients; one patient
unsubscribes. The counts are those the rows hold, step by step, and name no patient."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import sqlalchemy as sa

from drip import mailer
from drip.service import operations, results, results_report, subscriptions
from drip.service.app import App
from drip.store import models
from smtp_sink import SmtpSink

START = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PATIENTS = {  # each in a zone of its own: no two sends fall at the same instant
    "ana@example.com": ("muscle-injury", "Europe/Lisbon"),
    "ben@example.com": ("bone-encroachment", "America/New_York"),
    "chloe@example.com": ("lumbar-disc-disease", "Asia/Tokyo"),
    "dev@example.com": ("not-sure", "Australia/Sydney"),
    "eva@example.com": ("muscle-injury", "America/Los_Angeles"),
}
BOUNCES = ("ben@example.com", "heat-and-ice")  # the server says: no such mailbox
FAILS = ("dev@example.com", "rest")  # the server refuses this one message for good
LEAVES = ("chloe@example.com", "functional-disc-rehydration")  # unsubscribes before it


def _next_pending(app: App) -> tuple[str, str] | None:
    d, s = models.DeliveryRow, models.SubscriberRow
    query = (
        sa.select(s.email, d.step_id)
        .join(s, s.id == d.subscriber_id)
        .where(d.state == "pending")
        .order_by(d.due_at, d.id)
        .limit(1)
    )
    with app.store.engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row[0], row[1])


def _run(app: App, sink: SmtpSink) -> None:
    outgoing = mailer.from_url(sink.url)
    now = START
    dispatcher = operations.dispatcher(app, outgoing, now=lambda: now, simulated=True, owner="t")
    for email, (cause, zone) in PATIENTS.items():
        subscriptions.subscribe(
            app, email=email, first_name=email[0].upper(), cause=cause, timezone=zone,
            consent=subscriptions.Consent(source="test", text="Yes."), confirmed=False, now=now,
        )  # fmt: skip
    dispatcher.tick()  # the opt-in emails
    for email in PATIENTS:
        found = app.store.subscriber_by_email(email)
        assert found is not None
        subscriptions.confirm(app, found.uid, now=now)
    while (due := app.store.status(now=now).next_due) is not None:
        now = max(now, due)
        upcoming = _next_pending(app)
        if upcoming == LEAVES:
            subscriptions.unsubscribe(app, LEAVES[0], now=now)
            continue
        if upcoming == BOUNCES:
            sink.fail_with(550, "5.1.1 No such user")
        if upcoming == FAILS:
            sink.fail_with(552, "5.3.4 Message too big for this system")
        dispatcher.tick()
    outgoing.close()


def _rows(app: App) -> dict[tuple[str, str, str], int]:
    d = models.DeliveryRow
    query = sa.select(d.sequence, d.step_id, d.state, sa.func.count()).group_by(
        d.sequence, d.step_id, d.state
    )
    with app.store.engine.connect() as conn:
        return {(q, s, st.value): n for q, s, st, n in conn.execute(query)}


def test_stats_count_what_the_run_left_in_the_database(app: App, sink: SmtpSink) -> None:
    _run(app, sink)
    found = results.stats(app.config)
    by_step = {(r.sequence, r.step_id): r.counts for r in found.rows}
    rows = _rows(app)
    for (sequence, step), counts in by_step.items():
        assert counts.sent == rows.get((sequence, step, "sent"), 0)
        assert counts.failed + counts.bounced == rows.get((sequence, step, "failed"), 0)
        assert counts.suppressed == rows.get((sequence, step, "suppressed"), 0)
    assert by_step[("_confirm", "confirm")].sent == 5
    muscle = [r for r in found.rows if r.sequence == "muscle-injury"]
    assert [r.step_id for r in muscle] == [s.id for s in app.plan.sequences["muscle-injury"].steps]
    assert {r.counts.sent for r in muscle} == {2}  # ana and eva, every step
    assert by_step[("bone-encroachment", "heat-and-ice")].bounced == 1
    assert by_step[("bone-encroachment", "heat-and-ice")].failed == 0
    assert by_step[("not-sure", "rest")].failed == 1
    assert by_step[("lumbar-disc-disease", "welcome")].unsubscribed == 1
    assert sum(r.counts.unsubscribed for r in found.rows) == 1
    assert sum(r.counts.sent for r in found.rows) == len(sink.messages)
    assert found.columns == ("sent", "failed", "bounced", "suppressed", "unsubscribed")


def test_the_table_csv_and_page_show_counts_and_no_patient(app: App, sink: SmtpSink) -> None:
    _run(app, sink)
    found = results.stats(dataclasses.replace(app.config, tracking=True))
    table = results_report.text(found)
    assert table.splitlines()[0].split() == [
        "step", "sent", "failed", "bounced", "suppressed", "unsubscribed", "opened", "clicked"
    ]  # fmt: skip
    assert table.splitlines()[1].split() == ["opt-in", "email", "5", "0", "0", "0", "0", "0", "0"]
    csv = results_report.as_csv(found)
    assert "bone-encroachment,heat-and-ice,0,0,1,0,0,0,0" in csv.splitlines()
    page = results_report.html(found)
    assert "<svg" in page and "lumbar-disc-disease / welcome: 1 unsubscribed" in page
    for shown in (table, csv, page):
        assert "@" not in shown and "Ana" not in shown
