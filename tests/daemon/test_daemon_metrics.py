"""`drip run --metrics-port`: Prometheus metrics and /healthz over real HTTP, the heartbeat
while idle, and what a scrape must never carry."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import httpx
import pytest
from daemon_harness import SEQUENCES, environment, subscribe_due, welcomes

from drip import clock, config, sequences_yaml
from drip import store as drip_store
from drip.service import operations

pytestmark = pytest.mark.slow
DS = drip_store.DeliveryState
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format; AssertionError when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name}{labels} not in the scrape:\n{text}"
    return float(found.group(1))


@SQLITE_ONLY
def test_a_scrape_counts_what_was_sent_and_healthz_turns_503_when_the_database_breaks(
    db, sink, env_for, start_daemon
) -> None:
    env = env_for(sink.url)
    emails = subscribe_due(config.load(env), 5)
    run = start_daemon(env, "--metrics-port", "0")
    port = run.wait_for_record(lambda r: "metrics_port" in r, what="the metrics line")[
        "metrics_port"
    ]
    base = f"http://127.0.0.1:{port}"
    sink.wait_for(5, timeout=20)
    run.wait_alive_for(
        lambda: all(row.state is DS.SENT for row in welcomes(db)), timeout=20, what="all sent"
    )

    scrape = httpx.get(f"{base}/metrics", timeout=5)
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = scrape.text
    assert sample(text, "drip_deliveries_total", outcome="sent") == 5
    assert sample(text, "drip_deliveries_total", outcome="failed") == 0
    assert sample(text, "drip_send_seconds_count") == 5
    assert sample(text, "drip_claim_seconds_count") >= 1
    assert sample(text, "drip_passes_total") >= 1
    assert sample(text, "drip_due") == 0 and sample(text, "drip_queue_lag_seconds") == 0
    assert sample(text, "drip_deliveries_in_state", state="sent") == 5
    assert sample(text, "drip_database_up") == 1 and sample(text, "drip_sending_paused") == 0
    plan = sequences_yaml.load(SEQUENCES.read_text(encoding="utf-8"), file=str(SEQUENCES))
    for word in (*emails, *(c.slug for c in plan.causes), *(c.label for c in plan.causes)):
        assert word.lower() not in text.lower(), f"{word!r} in the scrape"

    healthy = httpx.get(f"{base}/healthz", timeout=5)
    assert healthy.status_code == 200, healthy.text
    found = healthy.json()
    assert found["ok"] is True and found["database"] == "ok" and found["due_now"] == 0
    assert found["worker"] and found["last_pass_age_seconds"] is not None
    assert httpx.get(f"{base}/nothing", timeout=5).status_code == 404

    with db.engine.begin() as conn:  # the database stops answering drip's queries
        conn.exec_driver_sql("ALTER TABLE deliveries RENAME TO deliveries_gone")
    sick = httpx.get(f"{base}/healthz", timeout=5)
    assert sick.status_code == 503 and sick.json()["database"] == "OperationalError"
    assert sample(httpx.get(f"{base}/metrics", timeout=5).text, "drip_database_up") == 0
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE deliveries_gone RENAME TO deliveries")
    assert run.stop() == 0


@SQLITE_ONLY
def test_health_says_a_worker_that_stopped_passing_is_unhealthy(db, database_url) -> None:
    worker = operations.Worker(config.load(environment(database_url, "memory://")))
    try:
        assert worker.health(clock.utcnow())["ok"] is False  # never passed yet
        worker.dispatch_due()
        now = clock.utcnow()
        assert worker.health(now)["ok"] is True
        later = now + timedelta(seconds=worker.config.lease_seconds + 1)
        stalled = worker.health(later)
        assert stalled["ok"] is False and stalled["database"] == "ok"
    finally:
        worker.close()


@SQLITE_ONLY
def test_the_heartbeat_speaks_only_when_no_batch_did(db, database_url, caplog) -> None:
    env = environment(database_url, "memory://")
    worker = operations.Worker(config.load(env))
    try:
        with caplog.at_level(logging.INFO, logger="drip.daemon"):
            worker.heartbeat()
            assert caplog.records[-1].getMessage() == "idle: due now 0, next due none"
            subscribe_due(config.load(env), 2)
            worker.dispatch_due()
            caplog.clear()
            worker.heartbeat()  # a batch ran since the last one: its line was the sign of life
            assert not [r for r in caplog.records if r.getMessage().startswith("idle:")]
            worker.heartbeat()
            assert caplog.records[-1].getMessage().startswith("idle: due now 0")
    finally:
        worker.close()
