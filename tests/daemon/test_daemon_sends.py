"""`drip run` sends what is due, logs one JSON line per batch, and never logs health data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from daemon_harness import SEQUENCES, Daemon, environment, subscribe_due, welcomes

import db_rows
from drip import config, daemon, sequences_yaml
from drip import store as drip_store
from drip.service import operations

pytestmark = pytest.mark.slow
DS = drip_store.DeliveryState
PATIENTS = 8  # two per cause


def forbidden_words(emails: list[str]) -> list[str]:
    """What must never reach a log line: every cause's slug and label, every patient's address."""
    plan = sequences_yaml.load(SEQUENCES.read_text(encoding="utf-8"), file=str(SEQUENCES))
    causes = [word for cause in plan.causes for word in (cause.slug, cause.label)]
    return [word.lower() for word in (*causes, *emails)]


def test_the_daemon_sends_due_deliveries_and_logs_counts_not_health_data(
    db, sink, env_for, start_daemon
) -> None:
    env = env_for(sink.url)
    emails = subscribe_due(config.load(env), PATIENTS)

    run: Daemon = start_daemon(env)
    received = sink.wait_for(PATIENTS, timeout=20)
    run.wait_alive_for(
        lambda: sum(b["sent"] for b in run.batches()) >= PATIENTS,
        timeout=20,
        what="the batch line",
    )
    assert run.stop() == 0

    assert sorted(rcpt for m in received for rcpt in m.rcpt_tos) == emails
    sent = [w for w in welcomes(db) if w.state is DS.SENT]
    assert len(sent) == PATIENTS
    assert {w.message_id for w in sent} == {str(m.message["Message-ID"]) for m in received}

    batches = run.batches()
    assert batches, run.tail()
    for line in batches:
        for key in ("claimed", "sent", "failed", "retried", "seconds"):
            assert isinstance(line[key], int | float), (key, line)
        assert line["level"] == "info"
    assert sum(b["sent"] for b in batches) == PATIENTS
    assert sum(b["failed"] + b["retried"] for b in batches) == 0

    words = forbidden_words(emails)
    for text in run.lines():  # every line, JSON or not, whatever its logger
        leaked = [word for word in words if word in text.lower()]
        assert not leaked, f"{leaked} in the log line {text!r}"


def test_the_scheduler_dispatches_at_the_configured_interval_and_rescues_leases(
    tmp_path,
) -> None:
    """In-process: the jobs `drip run` schedules, and the start-up line."""
    url = f"sqlite:///{tmp_path / 'drip.db'}"
    db = drip_store.Store(url, suppression_key=db_rows.SUPPRESSION_KEY)
    db.upgrade()
    db.dispose()
    cfg = config.load(environment(url, "smtp://relay:s3cret@127.0.0.1:2525"))
    worker = operations.Worker(cfg)
    try:
        jobs = {job.id: job for job in daemon.scheduler_for(cfg, worker).get_jobs()}
    finally:
        worker.close()
    assert set(jobs) == {"dispatch", "housekeeping", "heartbeat"}
    dispatching, housekeeping, heartbeat = jobs["dispatch"], jobs["housekeeping"], jobs["heartbeat"]
    assert dispatching.trigger.interval == timedelta(seconds=0.2)  # DRIP_TICK_INTERVAL
    assert housekeeping.trigger.interval == timedelta(seconds=daemon.HOUSEKEEPING_SECONDS)
    assert heartbeat.trigger.interval == timedelta(seconds=daemon.HEARTBEAT_SECONDS)
    short = config.load(environment(url, "memory://", lease_seconds=20))
    assert daemon.housekeeping_seconds(short) == 5  # a quarter of a short lease
    for job in (dispatching, housekeeping, heartbeat):
        assert (job.coalesce, job.max_instances) == (True, 1)
    assert dispatching.func.__func__ is operations.Worker.dispatch_due
    assert housekeeping.func.__func__ is operations.Worker.housekeeping
    assert heartbeat.func.__func__ is operations.Worker.heartbeat
    line = daemon.startup_line(cfg)
    assert f"worker {cfg.worker_id}" in line and "every 0.2s" in line
    assert f"database {url}" in line
    assert "smtp smtp://relay:***@127.0.0.1:2525" in line and "s3cret" not in line


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # logging, not storage
def test_each_batch_is_logged_when_it_ends_not_when_the_pass_ends(
    db, sink, env_for, start_daemon
) -> None:
    patients = 40  # four batches of 10
    env = env_for(sink.url, batch_size=10)
    subscribe_due(config.load(env), patients)
    sink.hold_after(10)  # the second batch's first message waits until the test lets it go
    run = start_daemon(env)
    first = run.wait_for_record(lambda r: r["message"].startswith("batch:"), what="a batch line")
    sink.wait_held()
    assert (first["claimed"], first["sent"], len(sink.messages)) == (10, 10, 10)
    sink.release()
    sink.wait_for(patients, timeout=20)
    assert run.stop() == 0
    assert sum(b["sent"] for b in run.batches()) == patients
