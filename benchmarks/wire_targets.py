"""Targets 3-5 of issue 9 and the RSS figure, each measured against a figure of the same run.

- claims: `Store.claim_due(limit=100)` latency (p50, p99 over `samples` claims, each released
  again before the next) with 10k/100k/1M rows in deliveries, mostly sent, and with a backlog
  all due at T0; both databases; in this process (wire_rows fills the tables in SQL).
- import: `drip import --confirmed --now T0 FILE` as a subprocess on a new database, a CSV of
  `rows` good rows over the causes; rows/s end to end.
- workers: PostgreSQL, N due; one `drip tick --now T0` process, then two started together
  (claims use FOR UPDATE SKIP LOCKED, so two ticks are two workers); msg/s each way.
- RSS: SQLite, `drip tick --now T0` dispatching 10k and 100k due (a populated database cloned
  in SQL); the peak RSS of that tick (`os.wait4`'s ru_maxrss, taken by a small launcher: Linux
  carries the parent's high-water mark into a child across fork and exec).
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import harness
import wire_rows
from bench_tick import NAMES, T0, drip_env, populated, postgres_database
from wire_methods import NOW
from wire_sink import Sink

from drip import store


@contextlib.contextmanager
def migrated(database: str) -> Iterator[str]:
    """An empty, migrated database: a SQLite file or a PostgreSQL schema of its own."""
    with contextlib.ExitStack() as stack:
        if database == "sqlite":
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="drip-bench-"))
            url = f"sqlite:///{tmp}/drip.db"
        else:
            url = stack.enter_context(postgres_database(database))
        db = store.Store(url)
        db.upgrade()
        db.dispose()
        yield url


@dataclass(frozen=True, kw_only=True)
class Latency:
    label: str
    rows: int
    p50_ms: float
    p99_ms: float
    fill_seconds: float


def claim_latency(database: str, label: str, *, rows: int, backlog: bool, samples: int) -> Latency:
    with migrated(database) as url:
        start = time.perf_counter()
        (wire_rows.fill_backlog if backlog else wire_rows.fill_queue)(url, rows)
        fill = time.perf_counter() - start
        db = store.Store(url)
        try:
            times = []
            for _ in range(samples + 1):  # the first is a warm-up
                begin = time.perf_counter()
                claimed = db.claim_due(now=T0, limit=100, owner="bench", lease_seconds=300)
                times.append(time.perf_counter() - begin)
                db.release("bench")
                if len(claimed) != 100:
                    raise AssertionError(f"claimed {len(claimed)} of 100 due")
        finally:
            db.dispose()
    times = sorted(times[1:])
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return Latency(
        label=label,
        rows=rows,
        p50_ms=statistics.median(times) * 1e3,
        p99_ms=p99 * 1e3,
        fill_seconds=fill,
    )


def import_rate(database: str, *, rows: int, causes: list[str]) -> float:
    """rows/s of `drip import --confirmed` of `rows` good rows into a new database."""
    with migrated(database) as url, tempfile.TemporaryDirectory(prefix="drip-bench-") as tmp:
        csv_file = Path(tmp) / "patients.csv"
        lines = ["email,name,cause,timezone"]
        lines += [
            f"import{i:06d}@example.com,{NAMES[i % len(NAMES)]},{causes[i % len(causes)]},"
            "Europe/London"
            for i in range(rows)
        ]
        csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = drip_env(url, "memory://")
        seconds, out = harness.run_cli(
            ["import", "--confirmed", "--now", NOW, str(csv_file)], env=env, cwd=Path(tmp)
        )
        if f"imported {rows}," not in out:
            raise AssertionError(f"drip import: {out.strip()!r}")
    return rows / seconds


def workers_rate(postgres: str, sink: Sink, *, count: int, workers: int) -> float:
    """msg/s of `workers` concurrent `drip tick --now T0` over `count` due on PostgreSQL."""
    with (
        populated(postgres, count) as (url, _setup),
        tempfile.TemporaryDirectory(prefix="drip-bench-cwd-") as cwd,
    ):
        env = drip_env(url, f"smtp://{sink.host}:{sink.port}")
        before, _ = sink.count()
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [*harness.drip_command(), "tick", "--now", NOW],
                env=env,
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(workers)
        ]
        outputs = [p.communicate() for p in procs]
        seconds = time.perf_counter() - start
        after, _ = sink.count()
    if any(p.returncode for p in procs) or after - before != count:
        raise AssertionError(
            f"{workers} worker(s): the sink got {after - before} of {count}; {outputs!r}"
        )
    return count / seconds


def tick_rss(sink: Sink, *, count: int) -> tuple[float, float]:
    """(peak RSS in MB, msg/s) of `drip tick --now T0` dispatching `count` due on SQLite."""
    base = min(count, 1000)
    if count % base:
        raise ValueError(f"--rss-deliveries: {count} is not a multiple of {base}")
    with (
        populated("sqlite", base) as (url, _setup),
        tempfile.TemporaryDirectory(prefix="drip-bench-cwd-") as cwd,
    ):
        wire_rows.clone(url, count // base - 1)
        env = drip_env(url, f"smtp://{sink.host}:{sink.port}")
        before, _ = sink.count()
        start = time.perf_counter()
        # Linux carries a process's RSS high-water mark across fork/vfork + exec, so a child
        # of this (large) process reports at least this process's peak: the tick is started
        # by a small launcher, and the launcher's wait4 figure for it is the tick's own.
        launched = subprocess.run(
            [sys.executable, "-c", _LAUNCH, *harness.drip_command(), "tick", "--now", NOW],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        maxrss_kb, returncode = map(int, launched.stdout.split())
        after, _ = sink.count()
    if launched.returncode or returncode or after - before != count:
        raise AssertionError(f"RSS tick of {count}: exit {returncode}, sink {after - before}")
    return maxrss_kb / 1024, count / seconds


_LAUNCH = (
    "import os, subprocess, sys; "
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "_, s, u = os.wait4(p.pid, 0); print(u.ru_maxrss, os.waitstatus_to_exitcode(s))"
)
