"""subscribe → confirm → `drip tick` at simulated times → the SMTP server receives each step in
order, on time, once; unsubscribe → nothing more arrives."""

from __future__ import annotations

import json
import zoneinfo
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from cli_harness import ROOT, Drip, link

from drip import sequences_yaml

PLAN = sequences_yaml.load((ROOT / "sequences.yaml").read_text(), file="sequences.yaml")
LISBON = zoneinfo.ZoneInfo("Europe/Lisbon")
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday, inside the send window


def text_of(received: object) -> str:
    body = received.message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


def next_due(drip: Drip) -> datetime | None:
    status = json.loads(drip("status", "--json").output)
    return datetime.fromisoformat(status["next_due"]) if status["next_due"] else None


def subscribe_and_confirm(drip: Drip) -> None:
    drip(
        "subscribe",
        "ana@example.com",
        "--name",
        "Ana",
        "--cause",
        "lumbar-disc-disease",
        "--tz",
        "Europe/Lisbon",
        "--now",
        START.isoformat(),
    )
    drip("tick", "--now", START.isoformat())
    [confirmation] = drip.sink.messages
    assert "confirm" in str(confirmation.message["Subject"]).lower()
    drip(
        "confirm",
        link(text_of(confirmation), "c"),
        "--now",
        (START + timedelta(minutes=5)).isoformat(),
    )


def test_each_step_arrives_in_order_on_time_once(drip: Drip) -> None:
    subscribe_and_confirm(drip)
    steps = PLAN.sequences["lumbar-disc-disease"].steps
    due_times = []
    while (due := next_due(drip)) is not None:
        due_times.append(due)
        drip("tick", "--now", due.isoformat())
        drip("tick", "--now", (due + timedelta(minutes=1)).isoformat())  # nothing twice
    received = drip.sink.messages[1:]
    assert [str(r.message["Subject"]) for r in received] == [s.subject for s in steps]
    sent_at = [parsedate_to_datetime(str(r.message["Date"])) for r in received]
    assert sent_at == due_times
    for step, previous, at in zip(steps[1:], sent_at, sent_at[1:], strict=False):
        assert at - previous >= step.after  # delays count from the previous send
    for at in sent_at:
        local = at.astimezone(LISBON)
        assert local.weekday() in PLAN.window.days
        assert PLAN.window.start <= local.time() < PLAN.window.end
    ids = [str(r.message["Message-ID"]) for r in drip.sink.messages]
    assert len(set(ids)) == len(ids) == len(steps) + 1
    assert "sent 0" in drip("tick", "--now", "2027-06-01T10:00:00Z").output


def test_after_unsubscribe_nothing_more_arrives(drip: Drip) -> None:
    subscribe_and_confirm(drip)
    first = next_due(drip)
    assert first is not None
    drip("tick", "--now", first.isoformat())
    assert len(drip.sink.messages) == 2  # confirmation + welcome
    drip("unsubscribe", "ana@example.com", "--now", first.isoformat())
    drip("tick", "--now", "2027-06-01T10:00:00Z")
    assert len(drip.sink.messages) == 2
    status = json.loads(drip("status", "--json").output)
    assert status["subscribers"]["unsubscribed"] == 1
    assert status["next_due"] is None


def test_pending_subscriber_gets_only_the_confirmation(drip: Drip) -> None:
    drip(
        "subscribe",
        "ben@example.com",
        "--name",
        "Ben",
        "--cause",
        "muscle-injury",
        "--now",
        START.isoformat(),
    )
    for days in (0, 3, 30):
        drip("tick", "--now", (START + timedelta(days=days)).isoformat())
    [only] = drip.sink.messages
    assert link(text_of(only), "c")
    assert list(only.rcpt_tos) == ["ben@example.com"]


def test_a_confirmation_link_older_than_its_lifetime_is_refused_and_a_fresh_one_works(
    drip: Drip,
) -> None:
    drip("subscribe", "ben@example.com", "--cause", "muscle-injury", "--now", START.isoformat())
    drip("tick", "--now", START.isoformat())
    [confirmation] = drip.sink.messages
    old_link = link(text_of(confirmation), "c")
    late = START + timedelta(days=8)  # DRIP_CONFIRM_LINK_DAYS is 7
    result = drip("confirm", old_link, "--now", late.isoformat(), code=1)
    assert "This link has expired (links like it last 7 days)" in result.output
    assert "Traceback" not in result.output
    status = json.loads(drip("status", "--json").output)
    assert status["subscribers"]["pending"] == 1
    drip("confirm", old_link, "--now", (START + timedelta(days=6)).isoformat())
    status = json.loads(drip("status", "--json").output)
    assert status["subscribers"]["active"] == 1


def test_mistakes_get_one_clear_line_and_exit_1(drip: Drip) -> None:
    result = drip("subscribe", "not-an-email", "--cause", "muscle-injury", code=1)
    assert "'not-an-email' is not an email address" in result.output
    result = drip("subscribe", "c@example.com", "--cause", "gout", code=1)
    assert "'gout' is not a cause in sequences.yaml" in result.output
    result = drip(
        "subscribe", "c@example.com", "--cause", "muscle-injury", "--tz", "Mars/Base", code=1
    )
    assert "'Mars/Base' is not an IANA time zone" in result.output
    result = drip("unsubscribe", "nobody@example.com", code=1)
    assert "nobody@example.com is not subscribed" in result.output
    result = drip("tick", "--now", "yesterday", code=2)
    assert "'yesterday'" in result.output
    assert "Traceback" not in result.output
