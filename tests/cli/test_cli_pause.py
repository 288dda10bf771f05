"""`drip pause` and `drip resume`: every worker's sending stopped and started from the shell,
shown by `drip status`, obeyed by `drip tick`."""

from __future__ import annotations

import json

from cli_support import Drip, assert_clean_failure


def test_a_pause_stops_tick_shows_in_status_and_resume_lifts_it(drip: Drip) -> None:
    assert drip("db", "upgrade").exit_code == 0
    assert drip("subscribe", "ana@example.com", "--cause", "muscle-injury").exit_code == 0

    paused = drip("pause", "--for", "2h", "--reason", "relay maintenance")
    assert paused.exit_code == 0 and "sending paused for every worker until" in paused.output
    tick = drip("tick")
    assert tick.exit_code == 1 and "sent 0" in tick.output
    assert "paused for every worker" in tick.output and "relay maintenance" in tick.output
    status = drip("status")
    assert "(by drip pause): relay maintenance; drip resume lifts it" in status.output
    found = json.loads(drip("status", "--json").output)
    assert found["paused"]["reason"] == "relay maintenance"
    assert found["deliveries"]["pending"] == 1  # the opt-in email waits, nothing lost

    resumed = drip("resume")
    assert resumed.output.strip() == (
        "sending resumed (it was paused by drip pause: relay maintenance)"
    )
    assert json.loads(drip("status", "--json").output)["paused"] is None
    assert "sent 1" in drip("tick").output
    assert drip("resume").output.strip() == "sending was not paused"


def test_a_pause_needs_a_length_it_can_read(drip: Drip) -> None:
    assert drip("db", "upgrade").exit_code == 0
    assert_clean_failure(drip("pause", "--for", "soon"), 2, "--for: 'soon' is not a duration")
    assert_clean_failure(drip("pause", "--for", "0"), 2, "give a length")
