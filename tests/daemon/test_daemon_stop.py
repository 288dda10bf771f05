"""Stopping `drip run`: SIGTERM finishes the message in flight and gives the rest back; after
kill -9 the dead worker's claims are rescued when their lease expires. Nothing is lost, and a
message reaches the server twice only when a crash fell between its acceptance and its record."""

from __future__ import annotations

import collections
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from daemon_harness import ENTRY, expire_leases, poll, subscribe_due, welcomes

from drip import clock, config
from drip import store as drip_store

pytestmark = pytest.mark.slow
DS = drip_store.DeliveryState
GRACE = 5.0  # seconds a SIGTERM may take
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def message_ids(sink) -> collections.Counter[str]:
    return collections.Counter(str(m.message["Message-ID"]) for m in sink.messages)


def test_sigterm_mid_batch_finishes_the_message_in_flight_and_gives_back_the_rest(
    db, sink, env_for, start_daemon
) -> None:
    count = 120  # a batch of 100, then 20
    env = env_for(sink.url)
    emails = subscribe_due(config.load(env), count)
    sink.hold_after(40)  # the 41st message is in flight, unanswered, when the signal lands

    first = start_daemon(env)
    first.wait_alive_for(lambda: sink.held, timeout=30, what="the 41st message in flight")
    signalled = first.signal(signal.SIGTERM)
    first.wait_for_record(lambda r: r["message"].startswith("received SIGTERM"), what="SIGTERM")
    sink.release()
    assert first.wait(GRACE) == 0
    assert time.monotonic() - signalled <= GRACE
    assert first.records()[-1]["message"].startswith("stopped;"), first.tail()

    status = db.status(now=clock.utcnow())
    assert status.deliveries[DS.SENDING] == 0
    rows = welcomes(db)
    assert {row.state for row in rows} <= {DS.SENT, DS.PENDING}
    sent = [row for row in rows if row.state is DS.SENT]
    assert len(sent) == 41, "the message in flight was not finished, or more were sent"
    ids = message_ids(sink)
    assert max(ids.values()) == 1, "a message reached the server twice"
    # what the server got is exactly what is recorded as sent: the one in flight included
    assert set(ids) == {row.message_id for row in sent}
    assert all(row.lease_owner is None for row in rows if row.state is DS.PENDING)

    second = start_daemon(env_for(sink.url))
    sink.wait_for(count, timeout=30)
    second.wait_alive_for(
        lambda: all(row.state is DS.SENT for row in welcomes(db)),
        timeout=30,
        what="every welcome sent",
    )
    assert second.stop() == 0

    ids = message_ids(sink)
    assert len(ids) == count and max(ids.values()) == 1
    assert sorted(r for m in sink.messages for r in m.rcpt_tos) == emails
    assert set(ids) == {row.message_id for row in welcomes(db)}


def test_after_kill_9_the_rescued_claims_are_sent_with_at_most_one_duplicate(
    db, sink, env_for, start_daemon
) -> None:
    count = 60  # one batch
    env = env_for(f"{sink.url}?timeout=1", lease_seconds=5)
    subscribe_due(config.load(env), count)
    sink.hold_after(20)  # the kill lands while the 21st message waits for its reply

    first = start_daemon(env)
    first.wait_alive_for(lambda: sink.held, timeout=30, what="the 21st message in flight")
    first.signal(signal.SIGKILL)
    assert first.wait(GRACE) == -signal.SIGKILL
    sink.release()  # the server may still accept what the dead worker was sending

    orphans = [row for row in welcomes(db) if row.state is DS.SENDING]
    assert orphans, "the kill did not land mid-batch"
    # The housekeeping job runs at start-up, then every 60 s; the lease is at least 5 s.
    # Rather than wait for the lease, move time: it expires now.
    assert expire_leases(db) == len(orphans)

    second = start_daemon(env_for(f"{sink.url}?timeout=1", lease_seconds=5))
    rescued = second.wait_for_record(
        lambda r: r["message"].startswith("rescued"), what="the rescue by housekeeping"
    )
    assert rescued["level"] == "warning"
    assert rescued["message"].startswith(f"rescued {len(orphans)} deliveries")
    second.wait_alive_for(
        lambda: all(row.state is DS.SENT for row in welcomes(db)),
        timeout=30,
        what="every welcome sent",
    )
    assert second.stop() == 0

    rows = welcomes(db)
    ids = message_ids(sink)
    assert set(ids) == {row.message_id for row in rows}
    assert len(ids) == count
    twice = [mid for mid, n in ids.items() if n > 1]
    assert max(ids.values()) <= 2 and len(twice) <= 1, f"duplicates: {twice}"
    per_patient = collections.defaultdict(set)
    for m in sink.messages:
        per_patient[m.rcpt_tos].add(str(m.message["Message-ID"]))
    assert len(per_patient) == count
    assert all(len(mids) == 1 for mids in per_patient.values()), "a resend got a new Message-ID"
    # a duplicate can only be a message that was in flight when the worker died
    orphan_ids = {row.message_id for row in rows if row.id in {o.id for o in orphans}}
    assert set(twice) <= orphan_ids


@SQLITE_ONLY  # signal handling does not depend on the database
def test_a_second_sigterm_during_the_graceful_stop_still_exits_0_without_a_traceback(
    db, sink, env_for, start_daemon
) -> None:
    """systemd or an operator may signal again (SIGTERM, then Ctrl-C) while drip finishes."""
    env = env_for(sink.url)
    subscribe_due(config.load(env), 40)
    sink.hold_after(5)
    run = start_daemon(env)
    run.wait_alive_for(lambda: sink.held, timeout=30, what="the 6th message in flight")
    run.signal(signal.SIGTERM)
    run.signal(signal.SIGINT)
    run.wait_for_record(lambda r: "again" in r["message"], what="the second signal noted")
    sink.release()
    assert run.wait(GRACE) == 0, run.tail()
    assert db.status(now=clock.utcnow()).deliveries[DS.SENDING] == 0
    run.records()  # every line JSON: no traceback
    assert run.records()[-1]["message"].startswith("stopped;")


def catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler of its own for `signum` (Linux: /proc's SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


@SQLITE_ONLY
def test_sigterm_while_drip_run_is_still_starting_is_a_clean_stop(
    db, sink, env_for, start_daemon
) -> None:
    """systemd may stop a unit a moment after starting it: the signal lands as soon as drip can
    hear it, while the database, the templates and the scheduler are still loading."""
    env = env_for(sink.url)
    subscribe_due(config.load(env), 5)
    run = start_daemon(env)
    poll(lambda: catches(run.proc.pid, signal.SIGTERM), timeout=20, what="the SIGTERM handler")
    run.signal(signal.SIGTERM)
    assert run.wait(GRACE) == 0, run.tail()
    messages = [r["message"] for r in run.records()]  # every line JSON: no traceback
    assert messages[0] == "received SIGTERM; finishing the message in flight"
    assert messages[-1].startswith("stopped;")
    assert db.status(now=clock.utcnow()).deliveries[DS.SENDING] == 0


@SQLITE_ONLY
def test_a_command_without_a_graceful_stop_still_dies_of_sigterm_heard_early(
    db, sink, env_for, tmp_path: Path
) -> None:
    """The console script keeps a SIGTERM heard while the CLI loads; `drip tick` has no stop of
    its own, so it gets Python's default back and the signal ends it (it is never ignored)."""
    env = env_for(sink.url)
    subscribe_due(config.load(env), 5)
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, "tick"], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 20  # the handler is there for ~0.1 s: look closely
        while not catches(proc.pid, signal.SIGTERM):
            assert proc.poll() is None and time.monotonic() < deadline, "no early handler seen"
            time.sleep(0.002)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(GRACE) == -signal.SIGTERM
    finally:
        proc.kill()
        proc.wait()
