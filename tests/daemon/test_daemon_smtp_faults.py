"""`drip run` against a mail server that is down, or refuses us by policy (5.7.x)."""

from __future__ import annotations

import pytest
from daemon_harness import Delivery, free_port, make_due, subscribe_due, welcomes

import db_rows
from drip import clock, config
from drip import store as drip_store
from drip.service import operations
from smtp_sink import SmtpSink

pytestmark = pytest.mark.slow
DS, SS = drip_store.DeliveryState, drip_store.SubscriberState
QUIET = 1.0  # ten ticks at 0.1 s: long enough for a daemon that is not paused to send


def test_an_smtp_outage_loses_nothing_and_sending_resumes_when_the_server_is_back(
    db, env_for, start_daemon
) -> None:
    port = free_port()  # nobody listens: every connection is refused
    env = env_for(f"smtp://127.0.0.1:{port}")
    emails = subscribe_due(config.load(env), 3)
    run = start_daemon(env)

    def retried() -> list[Delivery] | None:
        rows = welcomes(db)
        done = all(row.state is DS.PENDING and row.attempts == 1 for row in rows)
        return rows if done else None

    rows = run.wait_alive_for(retried, timeout=20, what="every welcome tried once")
    now = clock.utcnow()
    for row in rows:
        assert row.last_error and f"127.0.0.1:{port}" in row.last_error
        assert row.lease_owner is None
        assert row.due_at > now, "a retry waits for its backoff"
    batch = run.wait_for_record(
        lambda r: r["message"].startswith("batch:") and r["retried"] > 0, what="a batch line"
    )
    assert batch["sent"] == 0 and batch["failed"] == 0
    assert db.status(now=now).subscribers[SS.ACTIVE] == 3

    with SmtpSink(port=port) as sink:
        assert make_due(db) == 3  # the backoff has passed
        received = sink.wait_for(3, timeout=20)
        run.wait_alive_for(
            lambda: all(row.state is DS.SENT for row in welcomes(db)),
            timeout=20,
            what="every welcome recorded as sent",
        )
        assert run.stop() == 0

    assert sorted(r for m in received for r in m.rcpt_tos) == emails
    assert len({str(m.message["Message-ID"]) for m in received}) == 3


def test_a_policy_refusal_pauses_sending_and_alerts_without_suppressing_anyone(
    db, sink, env_for, start_daemon
) -> None:
    sink.fail_with(550, "5.7.1 Message rejected by policy", times=None)
    env = env_for(sink.url, tick_interval=0.1)
    emails = subscribe_due(config.load(env), 3)
    run = start_daemon(env)

    alert = run.wait_for_record(lambda r: "ALERT" in r["message"], what="the ALERT line")
    assert alert["level"] == "error"
    assert "5.7.1" in alert["message"] and "paused" in alert["message"]

    def outcome() -> list[Delivery] | None:  # the refused one retried later, the others given back
        rows = welcomes(db)
        return rows if all(row.state is DS.PENDING for row in rows) else None

    rows = run.wait_alive_for(outcome, timeout=10, what="the batch given back")
    tried = [row for row in rows if row.last_error]
    assert len(tried) == 1, "sending went on after the refusal"
    assert "5.7.1" in (tried[0].last_error or "")
    assert all(row.attempts == 0 for row in rows), "a policy pause is not the delivery's attempt"
    assert all(row.lease_owner is None for row in rows)

    # The pause holds: the server accepts again and two deliveries are due, yet for ten ticks
    # nothing is sent (a negative, so a bounded wait: what is checked is that nothing happens).
    sink.clear()
    try:
        sink.wait_for(1, timeout=QUIET)
    except AssertionError:
        pass  # nothing arrived: still paused
    else:
        pytest.fail("a message went out while sending was paused")
    assert run.proc.poll() is None, "the daemon must keep running while paused"
    assert [r["message"] for r in run.records()].count(alert["message"]) == 1
    assert run.stop() == 0

    # The pause is the database's, not the process's: a restarted (or another) worker obeys it
    # until an operator lifts it.
    pause = db.sending_paused(now=clock.utcnow())
    assert pause is not None and "5.7.1" in pause.reason
    again = start_daemon(env)
    again.wait_for_record(lambda r: "paused for every worker" in r["message"], what="the pause")
    try:
        sink.wait_for(1, timeout=QUIET)
    except AssertionError:
        pass
    else:
        pytest.fail("a restarted worker sent while sending was paused")
    assert operations.resume(config.load(env)) is not None  # `drip resume`
    again.wait_for_record(lambda r: r["message"] == "sending resumed", what="the resume")
    assert len(sink.wait_for(2, timeout=20)) == 2  # the two handed back; the refused one waits
    assert again.stop() == 0

    status = db.status(now=clock.utcnow())
    assert status.subscribers[SS.ACTIVE] == 3 and status.subscribers[SS.BOUNCED] == 0
    assert status.deliveries[DS.SUPPRESSED] == status.deliveries[DS.FAILED] == 0
    assert status.deliveries[DS.SENDING] == 0
    assert not any(db_rows.is_suppressed(db, email) for email in emails)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # logging, not storage
def test_the_alert_line_does_not_carry_the_address_a_relay_quotes_in_its_refusal(
    db, sink, env_for, start_daemon
) -> None:
    env = env_for(sink.url)
    (email,) = subscribe_due(config.load(env), 1)
    sink.fail_with(554, f"5.7.1 <{email}>: Relay access denied", times=None)
    run = start_daemon(env)
    alert = run.wait_for_record(lambda r: "ALERT" in r["message"], what="the ALERT line")
    assert run.stop() == 0
    assert "5.7.1" in alert["message"]
    leaked = [line for line in run.lines() if email in line]
    assert not leaked
