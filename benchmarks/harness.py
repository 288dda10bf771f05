"""Timing, subprocesses, results and the Markdown table: what every benchmark module shares.

Timing is plain `time.perf_counter`: a benchmark runs a callable `runs` times (after a warm-up)
and keeps every sample; the table shows the median and the minimum. Fast callables are looped
`number` times per sample (chosen so that a sample lasts about `target` seconds) and the sample
is divided by `number`.
"""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEQUENCES = REPO / "sequences.yaml"
TEMPLATES = REPO / "templates" / "emails"

if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))  # smtp_sink.SmtpSink, the loopback SMTP server


@dataclass(frozen=True, kw_only=True)
class Result:
    """One row of the results table. Times are seconds per operation."""

    group: str
    name: str
    samples: tuple[float, ...]
    per_op: str = ""  # what one operation is, for the throughput column ("message", "call")
    ops: int = 1  # operations in one sample (1,000 for a tick of 1,000 deliveries)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def throughput(self) -> str:
        if not self.per_op or self.median <= 0:
            return ""
        return f"{self.ops / self.median:,.0f} {self.per_op}s/s"


@dataclass(kw_only=True)
class Report:
    """Everything a run produced: rows, and free-form sections (the profile) for the README."""

    results: list[Result] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def add(self, result: Result) -> Result:
        self.results.append(result)
        print(f"  {result.name}: median {fmt_time(result.median)} {result.note}", flush=True)
        return result


def timed(fn: Callable[[], object], *, runs: int = 5, warmup: int = 1) -> tuple[float, ...]:
    """`runs` wall times of one call each, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return tuple(samples)


def timed_loop(
    fn: Callable[[], object], *, runs: int = 5, target: float = 0.2
) -> tuple[float, ...]:
    """Seconds per call for a fast callable: each sample loops it for about `target` seconds."""
    start = time.perf_counter()
    fn()  # warm-up, and a first estimate
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(target / once))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return tuple(samples)


def clean_env(**drip: str) -> dict[str, str]:
    """The current environment without any DRIP_* setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIP_")}
    env.update(drip)
    return env


def drip_command() -> list[str]:
    """The installed `drip` console script of this interpreter (not a pyenv/asdf shim)."""
    beside = Path(sys.executable).with_name("drip")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("drip")
    if found is None:
        raise SystemExit("no `drip` command: run `pip install -e '.[test]'` first")
    return [found]


def run_cli(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path, expect: int = 0
) -> tuple[float, str]:
    """Run `drip ARGS` and return (wall seconds, stdout); fails loudly on another exit code."""
    start = time.perf_counter()
    proc = subprocess.run(
        [*drip_command(), *args], env=dict(env), cwd=cwd, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if proc.returncode != expect:
        raise RuntimeError(
            f"drip {' '.join(args)} exited {proc.returncode} (expected {expect})\n"
            f"stdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-2000:]}"
        )
    return seconds, proc.stdout


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def table(results: Sequence[Result]) -> str:
    lines = [
        "| # | benchmark | median | min | runs | throughput | notes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.group} | {r.name} | {fmt_time(r.median)} | {fmt_time(r.best)} | "
            f"{len(r.samples)} | {r.throughput} | {r.note} |"
        )
    return "\n".join(lines)


def machine(postgres_version: str | None) -> str:
    """One paragraph saying where and when the figures were taken."""
    cpu = _cpu_model()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [
        f"{cores} cores (`nproc`), {cpu}",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        f"PostgreSQL {postgres_version or 'not reachable'} (loopback)",
        f"drip at {_commit()}",
    ]
    return "; ".join(parts)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _commit() -> str:
    # read-only git calls; --no-optional-locks: never touch the index others are using
    git = ["git", "--no-optional-locks", "-C", str(REPO)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"commit {head}" + (" with uncommitted changes in src/" if dirty else "")
