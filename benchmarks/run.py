"""Run drip's benchmarks and print a Markdown table; `--write` puts it in benchmarks/README.md.

    python benchmarks/run.py                 # everything (about 4-5 minutes on 2 cores)
    python benchmarks/run.py --write         # ... and update the results in the README
    python benchmarks/run.py --only tick,profile --deliveries 200

PostgreSQL: DRIP_BENCH_POSTGRES_URL, else DRIP_TEST_POSTGRES_URL, else
postgresql://postgres@127.0.0.1:5432/test. When it cannot be reached the PostgreSQL tick is
skipped with a note (`--require-postgres` makes that an error).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bench_authoring
import bench_breakdown
import bench_demo
import bench_signup
import bench_tick
import bench_workbench
import harness

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
SUITES = (
    "startup", "check", "ingest", "render", "planner", "tick", "breakdown", "profile", "demo",
    "signup",
    "workbench",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(SUITES)
    unknown = only - set(SUITES)
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {sorted(unknown)}; choose from {SUITES}")
    pg_version = bench_tick.postgres_version(args.postgres_url)
    if pg_version is None and args.require_postgres:
        raise SystemExit(f"PostgreSQL not reachable at {args.postgres_url}")
    report = harness.Report()
    started = time.perf_counter()
    for name, run in _plan(args, pg_version).items():
        if name.partition(":")[0] in only:
            print(f"== {name}", flush=True)
            suite_started = time.perf_counter()
            run(report)
            print(f"   ({time.perf_counter() - suite_started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started
    text = _results(report, pg_version, elapsed, args)
    print()
    print(text)
    if args.write:
        _write(text)
        print(f"\nwrote the results into {README}")
    return 0


def _plan(
    args: argparse.Namespace, pg_version: str | None
) -> dict[str, Callable[[harness.Report], None]]:
    runs, n = args.runs, args.deliveries
    plan: dict[str, Callable[[harness.Report], None]] = {
        "startup": lambda r: bench_authoring.startup(r, runs=runs),
        "check": lambda r: bench_authoring.check(r, runs=runs),
        "ingest": lambda r: bench_authoring.ingest_articles(r, runs=runs),
        "render": lambda r: bench_authoring.rendering_paths(r, runs=runs),
        "planner": lambda r: bench_authoring.planner(r, runs=runs),
        "tick:sqlite": lambda r: bench_tick.tick_cli(
            r, label="SQLite", database="sqlite", count=n, runs=args.tick_runs
        ),
    }
    if pg_version is not None:
        plan["tick:postgresql"] = lambda r: bench_tick.tick_cli(
            r, label="PostgreSQL", database=args.postgres_url, count=n, runs=args.tick_runs
        )
    else:
        plan["tick:postgresql"] = lambda r: print(
            f"  skipped: PostgreSQL not reachable at {args.postgres_url}"
        )
    plan["breakdown:sqlite"] = lambda r: bench_breakdown.breakdown(
        r, database="sqlite", label="SQLite", count=n
    )
    if pg_version is not None:
        plan["breakdown:postgresql"] = lambda r: bench_breakdown.breakdown(
            r, database=args.postgres_url, label="PostgreSQL", count=n
        )
    plan["profile"] = lambda r: bench_breakdown.profile(
        r, database="sqlite", label="SQLite", count=n
    )
    plan["demo"] = lambda r: bench_demo.demo(r, runs=args.demo_runs)
    plan["signup:sqlite"] = lambda r: bench_signup.signups(r, database="sqlite", label="SQLite")
    if pg_version is not None:
        plan["signup:postgresql"] = lambda r: bench_signup.signups(
            r, database=args.postgres_url, label="PostgreSQL"
        )
    plan["workbench"] = lambda r: bench_workbench.workbench(r, runs=runs)
    return plan


def _results(
    report: harness.Report, pg_version: str | None, elapsed: float, args: argparse.Namespace
) -> str:
    shown = [a for a in args.argv if a != "--write"]
    command = " ".join(["python benchmarks/run.py", *shown])
    lines = [
        f"Measured {report.started:%Y-%m-%d %H:%M} UTC with `{command}` "
        f"({elapsed / 60:.1f} minutes in all).",
        "",
        f"Machine: {harness.machine(pg_version)}.",
        "",
        harness.table(report.results),
    ]
    for section in report.sections:
        lines += ["", section]
    return "\n".join(lines)


def _write(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    head, found, rest = readme.partition(BEGIN)
    _old, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{README}: no {BEGIN} … {END} markers to replace")
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SUITES)}")
    parser.add_argument("--runs", type=int, default=5, help="samples per micro-benchmark")
    parser.add_argument("--deliveries", type=int, default=1000, help="due deliveries per tick")
    parser.add_argument(
        "--tick-runs", type=int, default=2, help="fresh setups + ticks per database"
    )
    parser.add_argument("--demo-runs", type=int, default=3, help="`drip demo` runs")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DRIP_BENCH_POSTGRES_URL")
        or os.environ.get("DRIP_TEST_POSTGRES_URL")
        or bench_tick.POSTGRES_DEFAULT,
    )
    parser.add_argument("--require-postgres", action="store_true")
    parser.set_defaults(argv=sys.argv[1:])
    return parser


if __name__ == "__main__":
    sys.exit(main())
