"""`drip tick` rescues what a killed tick left claimed; `drip status` shows it, and why
deliveries failed or wait to be retried; a lease too short for a send is refused at start."""

from __future__ import annotations

import json
import zoneinfo
from datetime import timedelta
from pathlib import Path

from cli_support import Drip, assert_clean_failure

import db_rows
from drip import clock, config, planning, store
from drip.service import app as app_module


def opened(env: dict[str, str]) -> app_module.App:
    return app_module.open_app(config.load(env))


def patient(app: app_module.App, email: str) -> store.Subscriber:
    who = app.store.add_subscriber(
        email=email,
        first_name="Ana",
        cause="muscle-injury",
        timezone="UTC",
        consent=store.Consent(source="t", text="t"),
        now=clock.utcnow(),
        confirmed=True,
    )
    db_rows.enroll(app.store, who.id, now=clock.utcnow() - timedelta(hours=1))
    return who


def test_a_killed_ticks_claims_are_shown_then_rescued_by_the_next_tick(
    drip: Drip, env: dict[str, str], tmp_path: Path
) -> None:
    assert drip("db", "upgrade").exit_code == 0
    with opened(env) as app:
        patient(app, "ana@example.com")
        long_ago = clock.utcnow() - timedelta(hours=1)
        app.store.claim_due(
            now=clock.utcnow(), limit=5, owner="dead-tick", lease_seconds=60, lease_from=long_ago
        )
        window = app.plan.window
    shown = drip("status")
    assert "expired:     1 claimed by a worker that stopped" in shown.output
    assert json.loads(drip("status", "--json").output)["leases_expired"] == 1
    # The next moment of the send window, whatever the hour or day the test runs (leases run
    # on real time); the step is due, not stale, however far the window's next opening is.
    opens = planning.into_window(clock.utcnow(), tz=zoneinfo.ZoneInfo("UTC"), window=window)
    ticked = drip("tick", "--now", opens.isoformat(), DRIP_STALE_AFTER="0")
    assert ticked.exit_code == 0 and ticked.output.startswith("sent 1,"), ticked.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert json.loads(drip("status", "--json").output)["leases_expired"] == 0


def test_status_says_why_deliveries_failed_or_wait(drip: Drip, env: dict[str, str]) -> None:
    assert drip("db", "upgrade").exit_code == 0
    with opened(env) as app:
        for email in ("a@example.com", "b@example.com", "c@example.com"):
            patient(app, email)
        claims = app.store.claim_due(now=clock.utcnow(), limit=5, owner="w", lease_seconds=60)
        now = clock.utcnow()
        app.store.mark_failed(claims[0].delivery_id, owner="w", now=now, error="552 5.3.4 too big")
        for claim in claims[1:]:
            app.store.mark_retry(
                claim.delivery_id,
                owner="w",
                now=now,
                error="451 4.3.0 later",
                retry_at=now + timedelta(hours=1),
            )
    shown = drip("status").output
    assert "failed:      1 × 552 5.3.4 too big" in shown
    assert "retrying:    2 × 451 4.3.0 later" in shown
    reasons = json.loads(drip("status", "--json").output)["reasons"]
    assert reasons == [
        {"kind": "failed", "reason": "552 5.3.4 too big", "count": 1},
        {"kind": "retrying", "reason": "451 4.3.0 later", "count": 2},
    ]


def test_a_lease_shorter_than_a_send_can_take_is_refused(drip: Drip) -> None:
    result = drip("tick", DRIP_SMTP_URL="smtp://127.0.0.1:2525?timeout=30", DRIP_LEASE_SECONDS="60")
    assert_clean_failure(
        result,
        2,
        "DRIP_LEASE_SECONDS: 60 is too short for an SMTP timeout of 30 s",
        "at least 120",
    )
