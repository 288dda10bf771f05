"""Benchmark 8: the marketer's workbench on the committed files, and `drip stats` after the demo.

Timed: `drip preview --out TMP` and `drip simulate --days 60` as subprocesses (what a marketer
waits for), and `preview.build` / `simulation.simulate` in-process (the same work without the
interpreter's start-up; `build` is also what `drip preview` redoes after every edit). Then the
demo's rehearsal (`drip demo`'s sample patients, the real dispatcher on a simulated clock) runs
in a SQLite file that is kept, and `drip stats` is run on it: its output is printed as a
section of its own.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import harness
from harness import REPO, SEQUENCES, TEMPLATES, Report, Result

from drip import config
from drip.service import preview, rehearsal, simulation

SAMPLES = REPO / "samples.yaml"
START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # a Monday; fixed, so runs compare
SETTINGS = {
    "DRIP_SEQUENCES": str(SEQUENCES),
    "DRIP_TEMPLATES": str(TEMPLATES),
    "DRIP_SAMPLES": str(SAMPLES),
}


def workbench(report: Report, *, runs: int) -> None:
    env = harness.clean_env(**SETTINGS)
    files: list[int] = []
    with tempfile.TemporaryDirectory(prefix="drip-bench-preview-") as tmp:

        def out() -> None:
            target = Path(tmp) / f"preview-{len(files)}"
            harness.run_cli(["preview", "--out", str(target), "--start", _iso()], env=env, cwd=REPO)
            files.append(sum(1 for p in target.rglob("*") if p.is_file()))

        samples = harness.timed(out, runs=runs, warmup=1)
    report.add(
        Result(
            group="8", name="`drip preview --out TMP` (CLI subprocess)", samples=samples,
            per_op="file", ops=files[-1],
            note=f"{files[-1]} files: 4 sample patients × (28 steps + the opt-in), 16 pages",
        )
    )  # fmt: skip
    lines: list[int] = []

    def simulate() -> None:
        _, stdout = harness.run_cli(
            ["simulate", "--days", "60", "--start", _iso(), "--csv"], env=env, cwd=REPO
        )
        lines.append(stdout.count("\n") - 1)

    samples = harness.timed(simulate, runs=runs, warmup=1)
    report.add(
        Result(
            group="8", name="`drip simulate --days 60` (CLI subprocess)", samples=samples,
            per_op="email", ops=lines[-1], note=f"{lines[-1]} emails planned, 16 timelines",
        )
    )  # fmt: skip
    cfg = config.load(SETTINGS)
    built: list[preview.Site] = []
    samples = harness.timed(
        lambda: built.append(preview.build(cfg, start=START, live=False)), runs=runs
    )
    report.add(
        Result(
            group="8", name="`preview.build()` in-process (a rebuild after an edit)",
            samples=samples, note=f"{len(built[-1].files)} files, git HEAD compared",
        )
    )  # fmt: skip
    samples = harness.timed(lambda: simulation.simulate(cfg, days=60, start=START), runs=runs)
    report.add(Result(group="8", name="`simulation.simulate(days=60)` in-process", samples=samples))
    report.sections.append(stats_after_demo())


def stats_after_demo() -> str:
    """`drip stats` on the database `drip demo`'s rehearsal leaves, as a README section."""
    with tempfile.TemporaryDirectory(prefix="drip-bench-stats-") as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        cfg = config.load({**SETTINGS, "DRIP_DATABASE_URL": url})
        kept = rehearsal.demo_config(cfg, database_url=url, smtp_url="memory://")
        sent = rehearsal.rehearse(cfg, start=START, keep=kept)
        _, table = harness.run_cli(
            ["stats"], env=harness.clean_env(**SETTINGS, DRIP_DATABASE_URL=url), cwd=REPO
        )
    return (
        "### `drip stats` after the demo\n\n"
        f"The demo's rehearsal ({len(sent)} emails to the sample patients, from "
        f"{START:%Y-%m-%d %H:%M} UTC) in a kept SQLite file, then `drip stats` on it:\n\n"
        f"```\n{table.rstrip()}\n```"
    )


def _iso() -> str:
    return START.strftime("%Y-%m-%dT%H:%M:%SZ")
