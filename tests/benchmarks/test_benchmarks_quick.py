"""`python -m benchmarks --quick` runs, and every method's sink received exactly N emails.

A smoke run of issue 9's side-by-side benchmark (benchmarks/wire_suite.py): N=500, one
round, small sizes, without the workers, RSS and import targets (each a few `drip`
subprocesses more; `python -m benchmarks --quick` runs them). Timing is never asserted
here; the figures are the benchmark's business.
django-post-office takes part when its virtualenv already exists (a full run makes it), and
the PostgreSQL rows when the server is reachable (required with DRIP_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run_sends_exactly_n_from_each_method(tmp_path: Path) -> None:
    report, markdown = tmp_path / "results.json", tmp_path / "RESULTS.md"
    args = [sys.executable, "-m", "benchmarks", "--quick", "--sink", "aiosmtpd"]
    args += ["--json", str(report), "--markdown", str(markdown)]
    args += ["--skip", "workers,rss,import"]  # the slow targets, to stay near a minute
    if os.environ.get("DRIP_REQUIRE_POSTGRES") == "1":
        args.append("--require-postgres")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIP_BENCH_")}
    if url := os.environ.get("DRIP_TEST_POSTGRES_URL"):
        env["DRIP_BENCH_POSTGRES_URL"] = url
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    data = json.loads(report.read_text(encoding="utf-8"))
    keys = {row["key"] for row in data["rows"]}
    assert {"raw", "drip-sqlite", "naive"} <= keys
    if os.environ.get("DRIP_REQUIRE_POSTGRES") == "1":
        assert "drip-postgresql" in keys
    assert all(row["received"] == [500] for row in data["rows"])
    assert "## Targets" in markdown.read_text(encoding="utf-8")
