"""Benchmark 5b/5c: where a tick's time goes, in-process, over the setup of bench_tick.

`breakdown` runs one `Dispatcher.tick()` with a stopwatch around each stage (every Store
operation, the mailer's send and flatten, compose, links, render, planner, the wait for the
email in flight), per thread; `profile` runs one under cProfile (which sees the main thread
only). Both send to a SmtpSink in a child process (benchmarks/sink_process.py), so that
the sink's asyncio thread does not compete with the dispatcher for the GIL.
"""

from __future__ import annotations

import concurrent.futures
import cProfile
import pstats
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from bench_tick import T0, drip_env, populated
from harness import Report

from drip import config, mailer, planning, rendering, tokens
from drip.mailer import base as mailer_base
from drip.service import app as app_module
from drip.service import dispatch, operations


class ExternalSink:
    """benchmarks/sink_process.py: a SmtpSink in a child process."""

    def __init__(self) -> None:
        script = Path(__file__).with_name("sink_process.py")
        self._proc = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._proc.stdout is not None
        self.url = f"smtp://127.0.0.1:{int(self._proc.stdout.readline())}"

    def count(self) -> int:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write("count\n")
        self._proc.stdin.flush()
        return int(self._proc.stdout.readline())

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)


@contextmanager
def _in_process_tick(database: str, count: int) -> Iterator[tuple[app_module.App, Any]]:
    """A populated database and an open SMTP mailer to an external sink; checks the count."""
    sink = ExternalSink()
    try:
        with populated(database, count) as (url, _setup):
            app = app_module.open_app(config.load(drip_env(url, sink.url)))
            try:
                with mailer.from_url(sink.url) as outgoing:
                    yield app, outgoing
            finally:
                app.store.dispose()
        if sink.count() != count:
            raise AssertionError(f"the sink received {sink.count()} messages, expected {count}")
    finally:
        sink.close()


def _tick(app: app_module.App, outgoing: Any, count: int) -> float:
    dispatcher = operations.dispatcher(app, outgoing, now=lambda: T0, simulated=True)
    start = time.perf_counter()
    sent = dispatch.total(dispatcher.tick()).sent
    seconds = time.perf_counter() - start
    if sent != count:
        raise AssertionError(f"sent {sent}, expected {count}")
    return seconds


class Stopwatch:
    """Exclusive wall time by stage, per thread: a stage called inside another (the mailer's
    `as_bytes` inside `send`) pauses the outer one. The dispatcher sends on a thread of its
    own while its main thread prepares the next email, so each thread has its own stack and
    the stages of the two threads overlap in time. Overhead: two perf_counter calls per
    wrapped call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.threads: dict[str, str] = {}  # stage: the thread it ran on ("main" or "sender")
        self._local = threading.local()
        self._lock = threading.Lock()

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls[stage] += 1
                main = threading.current_thread() is threading.main_thread()
                self.threads.setdefault(stage, "main" if main else "sender")
            self._switch(push=stage)
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch(push=None)

        return timed

    def _switch(self, *, push: str | None) -> None:
        now = time.perf_counter()
        local = self._local
        stack: list[str] = local.__dict__.setdefault("stack", [])
        if stack:
            with self._lock:
                self.seconds[stack[-1]] += now - local.since
        if push is None:
            stack.pop()
        else:
            stack.append(push)
        local.since = now


STAGES = {
    "store": "store: every `Store` operation (claim, the batch's read, standing, mark_sent)",
    "smtp": "smtp: MAIL/RCPT/DATA over loopback",
    "as_bytes": "serialise: `as_bytes` in the mailer",
    "compose": "compose: personalise + build the MIME message",
    "links": "signed links: `tokens.links`",
    "render": "render: `Renderer.step` (4 steps rendered once, then cached)",
    "planner": "planner: `drip.planning` (store calls excluded)",
    "waiting": "waiting for the email in flight (the next one already prepared)",
}
_NOT_OPERATIONS = {"engine", "upgrade", "dispose"}
_THREADS = {
    "main": "the main thread (claims, checks, composing the next email, records)",
    "sender": "the sending thread (SMTP)",
}


def breakdown(report: Report, *, database: str, label: str, count: int) -> None:
    """One in-process tick with a stopwatch around each stage: the shares of wall time, for
    each of the dispatcher's two threads."""
    watch = Stopwatch()
    with _in_process_tick(database, count) as (app, outgoing), ExitStack() as patches:

        def patch(target: object, name: str, stage: str) -> None:
            if callable(getattr(target, name, None)):  # names may change as drip evolves
                wrapped = watch.wrap(stage, getattr(target, name))
                patches.enter_context(mock.patch.object(target, name, wrapped))

        for name in dir(type(app.store)):
            if not name.startswith("_") and name not in _NOT_OPERATIONS:
                patch(app.store, name, f"store:{name}")
        patch(outgoing, "send", "smtp")
        patch(mailer_base, "flatten", "as_bytes")
        patch(rendering, "compose", "compose")
        patch(tokens, "links", "links")
        patch(app.renderer, "step", "render")
        patch(concurrent.futures, "wait", "waiting")
        for name in ("next_step", "into_window", "add_delay", "covered", "done_steps"):
            patch(planning, name, "planner")
        seconds = _tick(app, outgoing, count)
    lines = [
        f"### Where a tick's time goes: {label}, {count:,} deliveries, wall clock",
        "",
        f"One in-process `Dispatcher.tick()` with a stopwatch around each stage, on each of "
        f"its two threads: {seconds:.2f} s, {count / seconds:,.0f} msg/s, "
        f"{1e3 * seconds / count:.1f} ms per message. Each thread's shares are of the same "
        "wall time: the two overlap.",
    ]
    summaries = []
    for thread, title in _THREADS.items():
        stages = {k: v for k, v in watch.seconds.items() if watch.threads.get(k) == thread}
        store_ops = {k.partition(":")[2]: v for k, v in stages.items() if k.startswith("store:")}
        rows = [(STAGES[k], v) for k, v in stages.items() if k in STAGES]
        if store_ops:
            rows.append((STAGES["store"], sum(store_ops.values())))
        rest = seconds - sum(stages.values())
        idle = "idle: waiting for the next email" if thread == "sender" else "everything else"
        rows.append((f"{idle}: the dispatch loop, values, zoneinfo, GC", rest))
        lines += ["", f"{title}:", ""]
        for name, value in sorted(rows, key=lambda r: -r[1]):
            lines.append(
                f"- {name}: **{100 * value / seconds:.0f}%** ({1e3 * value / count:.2f} ms/message)"
            )
            if name == STAGES["store"]:
                for op, op_seconds in sorted(store_ops.items(), key=lambda r: -r[1]):
                    calls = watch.calls[f"store:{op}"]
                    lines.append(
                        f"  - `{op}` ×{calls:,}: {100 * op_seconds / seconds:.0f}% "
                        f"({1e3 * op_seconds / calls:.2f} ms/call)"
                    )
        short = {k: v for k, v in stages.items() if k in STAGES}
        if store_ops:
            short["store"] = sum(store_ops.values())
        summaries.append(
            f"{thread}: "
            + ", ".join(
                f"{stage} {100 * value / seconds:.0f}%"
                for stage, value in sorted(short.items(), key=lambda r: -r[1])
            )
        )
    summary = "; ".join(summaries)
    lines += ["", f"In short: {summary}."]
    report.sections.append("\n".join(lines))
    print(f"  {label}: {seconds:.2f} s in-process; {summary}", flush=True)


def profile(report: Report, *, database: str, label: str, count: int) -> None:
    """One in-process tick under cProfile: the top functions by cumulative time."""
    profiler = cProfile.Profile()
    with _in_process_tick(database, count) as (app, outgoing):
        profiler.enable()
        seconds = _tick(app, outgoing, count)
        profiler.disable()
    table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    lines = [
        f"### Top 15 functions by cumulative time: {label}, {count:,} deliveries, cProfile",
        "",
        f"The same tick under cProfile took {seconds:.2f} s: the profiler slows Python code "
        "(the email package, SQLAlchemy) far more than waits on sockets and fsync, so read the "
        "shares above, and this list for where to look.",
        "",
        "```",
        f"{'ncalls':>9} {'tottime':>8} {'cumtime':>8}  function",
    ]
    ranked = sorted(table.items(), key=lambda kv: -kv[1][3])
    shown = 0
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in ranked:
        if path == "~" or "cProfile" in path or "/benchmarks/" in path:
            continue
        lines.append(f"{calls:>9} {tottime:>8.3f} {cumtime:>8.3f}  {_short(path)}:{line}({name})")
        shown += 1
        if shown == 15:
            break
    lines.append("```")
    report.sections.append("\n".join(lines))
    print(f"  {label}: {seconds:.2f} s under cProfile", flush=True)


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/src/"):
        if marker in path:
            return path.split(marker, 1)[1]
    if "/lib/python3." in path:
        return path.split("/lib/python3.", 1)[1].split("/", 1)[1]
    return path
