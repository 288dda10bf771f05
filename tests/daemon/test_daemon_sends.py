"""`drip run` sends what is due, logs one JSON line per batch, and never logs health data."""

from __future__ import annotations

import logging
import signal as signal_module

import pytest
from daemon_harness import SEQUENCES, Daemon, environment, subscribe_due, welcomes

from drip import config, daemon, sequences_yaml
from drip import store as drip_store

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
    for line in run.lines():  # every line, JSON or not, whatever its logger
        leaked = [word for word in words if word in line.lower()]
        assert not leaked, f"{leaked} in the log line {line!r}"


def test_the_start_up_line_shows_the_configured_tick_interval(
    tmp_path, monkeypatch, caplog
) -> None:
    """In-process: the scheduler never starts, only the start-up line is looked at."""
    url = f"sqlite:///{tmp_path / 'drip.db'}"
    db = drip_store.Store(url)
    db.upgrade()
    db.dispose()
    cfg = config.load(environment(url, "memory://"))

    class NoScheduler:
        def __init__(self, **_: object) -> None: ...
        def add_job(self, *_: object, **__: object) -> None: ...
        def start(self) -> None: ...

    monkeypatch.setattr(daemon, "BlockingScheduler", NoScheduler)
    monkeypatch.setattr(daemon.logs, "configure", lambda fmt: None)
    monkeypatch.setattr(signal_module, "signal", lambda *_: None)
    with caplog.at_level(logging.INFO, logger="drip.daemon"):
        daemon.run(cfg)
    started = next(r.getMessage() for r in caplog.records if "drip run:" in r.getMessage())
    assert "every 0.2s" in started


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # logging, not storage
def test_each_batch_is_logged_when_it_ends_not_when_the_pass_ends(
    db, sink, env_for, start_daemon
) -> None:
    patients = 40  # four batches of 10 at 50/s: 0.2 s each
    env = env_for(sink.url, batch_size=10, send_rate=50)
    subscribe_due(config.load(env), patients)
    run = start_daemon(env)
    run.wait_for_record(lambda r: r["message"].startswith("batch:"), what="a batch line")
    in_sink = len(sink.messages)
    sink.wait_for(patients, timeout=20)
    assert run.stop() == 0
    assert in_sink < patients, "the first batch was logged only after the last one"
