"""The fault run (tests/fault_run.py), suite-sized: 300 deliveries (150 on PostgreSQL, to keep
the suite's time) through a server that fails 30 % of transactions temporarily and drops 5 % of
connections (seeded). Every delivery ends
sent, exactly once, except for the duplicates the ambiguous window explains (a drop after the
server had the message: the same Message-ID again); nothing is lost. The full run, with its
figures: `python -m benchmarks.faults` (benchmarks/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fault_run import run

pytestmark = pytest.mark.slow


def test_under_temporary_failures_and_dropped_connections_nothing_is_lost_or_sent_twice(
    database_url: str, tmp_path: Path
) -> None:
    deliveries = 300 if database_url.startswith("sqlite") else 150
    figures = run(database_url, tmp_path, deliveries=deliveries, seed=8)
    assert figures.deliveries == deliveries
    assert (figures.lost, figures.failed, figures.unexpected) == (0, 0, 0)
    assert figures.delivered == deliveries
    assert figures.not_exactly_once == 0
    assert figures.duplicates_unexplained == 0
    # every ambiguous fault made one duplicate, and the run crossed that window
    assert figures.duplicates == figures.duplicates_explained == figures.ambiguous_injected >= 1
    assert figures.faults_injected > deliveries / 5  # they happened: ~0.35 of ~1.5 tries each
    assert figures.kept_promises, figures.as_dict()
