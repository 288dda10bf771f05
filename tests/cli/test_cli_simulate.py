"""`drip simulate` as a marketer runs it: the committed files, no database."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import ROOT, Drip, assert_clean_failure

SAMPLES = str(ROOT / "samples.yaml")


def test_simulate_prints_every_timeline_and_touches_no_database(drip: Drip, tmp_path: Path) -> None:
    result = drip(
        "simulate", "--days", "60", "--start", "2026-12-07T15:00:00Z", DRIP_SAMPLES=SAMPLES
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Who gets what, when: 60 days from Mon 07 Dec 2026 15:00 UTC, each sample patient "
        "confirming then.\n"
    )
    assert result.output.count("end of the sequence: 7 emails") == 16
    assert not (tmp_path / "d.db").exists()


def test_simulate_json_for_one_cause_in_one_zone(drip: Drip) -> None:
    result = drip(
        "simulate", "--cause", "not-sure", "--tz", "Europe/Lisbon", "--days", "7",
        "--start", "2026-12-07T15:00:00Z", "--json", DRIP_SAMPLES=SAMPLES,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {row["cause"] for row in data["sends"]} == {"not-sure"}
    assert {row["timezone"] for row in data["sends"]} == {"Europe/Lisbon"}
    assert data["until"] == "2026-12-14T15:00Z"


def test_simulate_refuses_a_cause_it_does_not_know(drip: Drip) -> None:
    result = drip("simulate", "--cause", "sciatica", DRIP_SAMPLES=SAMPLES)
    assert_clean_failure(result, 2, "'sciatica' is not a cause in sequences.yaml")
    result = drip("simulate", "--start", "tomorrow", DRIP_SAMPLES=SAMPLES)
    assert_clean_failure(result, 2, "'tomorrow'", "2026-12-03T09:30:00Z")
