"""`python -m benchmarks`: issue 9's side-by-side run, in one process tree and one run.

    python -m benchmarks                      # the full run (~30-40 min on 2 cores)
    python -m benchmarks --quick              # N=500, one round, small sizes (~1 min)
    python -m benchmarks --deliveries 2000 --rounds 3 --sink both --skip rss

Every method sends the same N emails (drip's welcome steps, ~14.5 KB) to the same sink (an
aiosmtpd server in a child process on loopback; with `--sink postfix`/`both` also Postfix's
`smtp-sink`), round after round (interleaved: each round runs every method once, the load
average printed before it); the table gives medians and ratios against the raw ceiling of the
same run and sink. Then targets 2-5 (wire_targets). Writes a JSON and a Markdown report
(default benchmarks/RESULTS.md and benchmarks/results.json).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import wire_dpo
import wire_mail
import wire_methods
import wire_report
import wire_sink
import wire_targets
from bench_tick import POSTGRES_DEFAULT, postgres_version

HERE = Path(__file__).resolve().parent
SECTIONS = ("dpo", "postfix", "render", "claims", "import", "workers", "rss")


@dataclass(kw_only=True)
class Run:
    """Everything measured, for the reports."""

    args: dict[str, Any]
    command: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    postgres: str | None = None
    loads: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _apply_quick(args)
    defaults(args)
    skip = set(args.skip.split(",")) if args.skip else set()
    if unknown := skip - set(SECTIONS):
        raise SystemExit(f"--skip: unknown {sorted(unknown)}; choose from {SECTIONS}")
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    run = Run(args=dict(vars(args)), command=f"python -m benchmarks {shown}".strip())
    run.postgres = postgres_version(args.postgres_url)
    if run.postgres is None:
        if args.require_postgres:
            raise SystemExit(f"PostgreSQL not reachable at {args.postgres_url}")
        run.notes.append(f"PostgreSQL not reachable at {args.postgres_url}: its rows are skipped")
    started = time.perf_counter()
    sinks = _sinks(args, skip, run)
    try:
        _compare(args, skip, run, sinks)
        _targets(args, skip, run, sinks[0])
    except BaseException as exc:  # an interrupted run still reports what it measured
        run.notes.append(f"the run stopped early ({type(exc).__name__}: {exc}): figures missing")
        raise
    finally:
        for sink in sinks:
            sink.close()
        run.seconds = time.perf_counter() - started
        if run.rows:
            wire_report.write(run, json_path=Path(args.json), markdown_path=Path(args.markdown))
            print(f"\nwrote {args.markdown} and {args.json} ({run.seconds / 60:.1f} min)")
    return 0


def _sinks(args: argparse.Namespace, skip: set[str], run: Run) -> list[wire_sink.Sink]:
    sinks: list[wire_sink.Sink] = [wire_sink.CountingSink()]
    wants_postfix = args.sink in ("postfix", "both") and "postfix" not in skip
    if wants_postfix and wire_sink.postfix_binary() is not None:
        sinks.append(wire_sink.PostfixSink(wire_sink.free_port()))
    elif wants_postfix:
        run.notes.append("Postfix's smtp-sink is not installed: its rows are skipped")
    return sinks


def _methods(
    args: argparse.Namespace, skip: set[str], run: Run, sink: wire_sink.Sink
) -> list[wire_methods.Method]:
    n = args.deliveries
    with wire_mail.drip_app() as app:
        messages = wire_mail.prebuilt(app, n)
        naive = wire_mail.naive_templates(app)
    methods = [wire_methods.raw_ceiling(messages)]
    methods.append(wire_methods.drip_tick("SQLite", "sqlite", n))
    if run.postgres:
        methods.append(wire_methods.drip_tick("PostgreSQL", args.postgres_url, n))
    if sink.name != "aiosmtpd":
        return methods  # Postfix: drip against its own ceiling only
    methods.append(wire_methods.naive_loop(naive, n))
    if "dpo" not in skip and _dpo_ready(args, run):
        for cfg in _dpo_configs(args, run):
            methods.append(wire_methods.dpo(cfg, messages, n))
    return methods


def _dpo_ready(args: argparse.Namespace, run: Run) -> bool:
    if args.quick and not wire_dpo.venv_python().exists():
        run.notes.append(
            f"django-post-office skipped in quick mode: no virtualenv at "
            f"{wire_dpo.venv_python().parent.parent} (a full run creates it)"
        )
        return False
    if wire_dpo.ensure_venv() is None:
        run.notes.append("django-post-office skipped: its virtualenv could not be created")
        return False
    return True


def _dpo_configs(args: argparse.Namespace, run: Run) -> list[wire_dpo.DpoConfig]:
    configs = [wire_dpo.DpoConfig(database="sqlite", processes=1, threads=5)]
    if not args.quick:
        configs.append(wire_dpo.DpoConfig(database="sqlite", processes=1, threads=1))
    if run.postgres:
        configs.append(wire_dpo.DpoConfig(database=args.postgres_url, processes=1, threads=5))
        if not args.quick:
            configs.append(wire_dpo.DpoConfig(database=args.postgres_url, processes=2, threads=5))
    return configs


def _compare(
    args: argparse.Namespace, skip: set[str], run: Run, sinks: list[wire_sink.Sink]
) -> None:
    """Each round: every method once, to every sink; then medians and ratios."""
    plans = [(sink, _methods(args, skip, run, sink)) for sink in sinks]
    samples: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    received: dict[tuple[str, str], list[int]] = {}
    for r in range(1, args.rounds + 1):
        load = os.getloadavg()
        run.loads.append({"round": r, "load": [round(x, 2) for x in load]})
        print(f"== round {r}/{args.rounds}, load average {load[0]:.2f} {load[1]:.2f}", flush=True)
        for sink, methods in plans:
            for method in methods:
                seconds, got, size = wire_methods.timed(method, sink, args.deliveries)
                samples.setdefault((sink.name, method.key), []).append(seconds)
                received.setdefault((sink.name, method.key), []).append(got)
                sizes[(sink.name, method.key)] = size
                print(
                    f"  {sink.name:8} {method.label}: {args.deliveries / seconds:,.0f} msg/s",
                    flush=True,
                )
        run.rows = _rows(plans, samples, received, sizes, args.deliveries)  # after each round


def _rows(
    plans: list[tuple[wire_sink.Sink, list[wire_methods.Method]]],
    samples: dict[tuple[str, str], list[float]],
    received: dict[tuple[str, str], list[int]],
    sizes: dict[tuple[str, str], int],
    n: int,
) -> list[dict[str, Any]]:
    """The table so far: median msg/s of each method, and its ratio to the raw ceiling of
    the same sink."""
    rows = []
    for sink, methods in plans:
        raw = n / statistics.median(samples[(sink.name, "raw")])
        for method in methods:
            taken = samples.get((sink.name, method.key))
            if not taken:
                continue
            rate = n / statistics.median(taken)
            rows.append(
                {
                    "sink": sink.name,
                    "key": method.key,
                    "method": method.label,
                    "msg_per_s": rate,
                    "x_raw": rate / raw,
                    "seconds": taken,
                    "received": received[(sink.name, method.key)],  # per round
                    "bytes_per_email": sizes[(sink.name, method.key)],
                }
            )
    return rows


def _targets(args: argparse.Namespace, skip: set[str], run: Run, sink: wire_sink.Sink) -> None:
    """Targets 2-5 and the RSS figure, each section in turn (wire_targets)."""
    databases = [("SQLite", "sqlite")]
    if run.postgres:
        databases.append(("PostgreSQL", args.postgres_url))
    if "render" not in skip:
        print("== target 2: render + MIME", flush=True)
        with wire_mail.drip_app() as app:
            rate, size = wire_mail.render_rate(app, args.render_emails)
        run.targets["render"] = {"emails_per_s": rate, "bytes": size, "emails": args.render_emails}
    if "claims" not in skip:
        print("== target 3: claim latency", flush=True)
        claims = []
        for label, db in databases:
            for rows in args.claim_rows:
                claims.append(_latency(db, label, rows, backlog=False, samples=args.samples))
            claims.append(_latency(db, label, args.backlog, backlog=True, samples=args.samples))
        run.targets["claims"] = claims
    if "import" not in skip:
        print("== target 4: drip import", flush=True)
        with wire_mail.drip_app() as app:
            causes = [c.slug for c in app.plan.causes]
        run.targets["import"] = [
            {
                "database": label,
                "rows": args.rows,
                "rows_per_s": wire_targets.import_rate(db, rows=args.rows, causes=causes),
            }
            for label, db in databases
        ]
        for row in run.targets["import"]:
            print(f"  {row['database']}: {row['rows_per_s']:,.0f} rows/s", flush=True)
    if "workers" not in skip and run.postgres:
        print("== target 5: workers on PostgreSQL", flush=True)
        rates: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers in (1, 2):
                rate = wire_targets.workers_rate(
                    args.postgres_url, sink, count=args.workers_deliveries, workers=workers
                )
                rates[workers].append(rate)
                print(f"  {workers} worker(s): {rate:,.0f} msg/s", flush=True)
        run.targets["workers"] = {str(k): v for k, v in rates.items()}
    if "rss" not in skip:
        print("== peak RSS of drip tick, SQLite", flush=True)
        rss = []
        for count in args.rss_deliveries:
            mb, rate = wire_targets.tick_rss(sink, count=count)
            print(f"  {count:,} due: {mb:.1f} MB, {rate:,.0f} msg/s", flush=True)
            rss.append({"deliveries": count, "peak_rss_mb": mb, "msg_per_s": rate})
        run.targets["rss"] = rss


def _latency(db: str, label: str, rows: int, *, backlog: bool, samples: int) -> dict[str, Any]:
    found = wire_targets.claim_latency(db, label, rows=rows, backlog=backlog, samples=samples)
    kind = "backlog" if backlog else "queue"
    print(
        f"  {label} {kind} {rows:,}: p50 {found.p50_ms:.1f} ms, p99 {found.p99_ms:.1f} ms "
        f"(filled in {found.fill_seconds:.0f} s)",
        flush=True,
    )
    return {
        "database": label,
        "kind": kind,
        "rows": rows,
        "p50_ms": found.p50_ms,
        "p99_ms": found.p99_ms,
        "samples": samples,
    }


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x]


QUICK = {
    "deliveries": 500,
    "rounds": 1,
    "claim_rows": [2_000, 10_000],
    "backlog": 5_000,
    "samples": 5,
    "rows": 200,
    "rss_deliveries": [100, 300],
    "render_emails": 300,
    "workers_deliveries": 200,
}


def _apply_quick(args: argparse.Namespace) -> None:
    """--quick: the sizes of QUICK for every size not given on the command line."""
    if not args.quick:
        return
    for name, value in QUICK.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.sink is None:
        args.sink = "aiosmtpd"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="N=500, one round, small sizes (a smoke run)")
    add("--deliveries", type=int, help="N: emails per method per round (default 2000)")
    add("--rounds", type=int, help="interleaved rounds (default 3)")
    add(
        "--sink",
        choices=("aiosmtpd", "postfix", "both"),
        help="postfix/both: also Postfix's smtp-sink (default both when installed)",
    )
    add("--claim-rows", type=_ints, help="deliveries table sizes (default 10000,100000,1000000)")
    add("--backlog", type=int, help="rows all due at one instant (default 100000)")
    add("--samples", type=int, help="claims timed per table (default 50)")
    add("--rows", type=int, help="rows of the CSV for `drip import` (default 100000)")
    add(
        "--rss-deliveries",
        type=_ints,
        help="due deliveries for the RSS ticks (default 10000,100000)",
    )
    add("--workers-deliveries", type=int, help="due deliveries for target 5 (default N)")
    add("--render-emails", type=int, help="emails rendered for target 2 (default 2000)")
    add("--skip", default="", help=f"comma-separated: {', '.join(SECTIONS)}")
    add("--json", default=str(HERE / "results.json"))
    add("--markdown", default=str(HERE / "RESULTS.md"))
    add(
        "--postgres-url",
        default=os.environ.get("DRIP_BENCH_POSTGRES_URL")
        or os.environ.get("DRIP_TEST_POSTGRES_URL")
        or POSTGRES_DEFAULT,
    )
    add("--require-postgres", action="store_true")
    return parser


FULL = {
    "deliveries": 2_000,
    "rounds": 3,
    "claim_rows": [10_000, 100_000, 1_000_000],
    "backlog": 100_000,
    "samples": 50,
    "rows": 100_000,
    "rss_deliveries": [10_000, 100_000],
    "render_emails": 2_000,
    "workers_deliveries": None,
}


def defaults(args: argparse.Namespace) -> None:
    """The full run's sizes for everything neither given nor set by --quick."""
    for name, value in FULL.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.workers_deliveries is None:
        args.workers_deliveries = args.deliveries
    if args.sink is None:
        args.sink = "both" if wire_sink.postfix_binary() else "aiosmtpd"
