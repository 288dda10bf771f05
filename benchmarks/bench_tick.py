"""Benchmark 5: `drip tick` over N due deliveries to a real SMTP server on loopback.

Setup (not timed): a new database (a SQLite file, or a PostgreSQL schema of its own reached
through `?options=-csearch_path=…`, as tests/conftest.py does), `drip db upgrade`, then N
confirmed subscribers over the causes, enrolled in-process through the service API at T0 (a
Tuesday, 15:00 UTC; Europe/London, so the welcome step is due at T0). Timed: `drip tick --now
T0` as a subprocess, sending to tests/smtp_sink.py's SmtpSink. The sink must have received
exactly N messages, or the benchmark fails.

`profile` runs one in-process `Dispatcher.tick()` over the same setup under cProfile.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import harness
import sqlalchemy as sa
from harness import SEQUENCES, TEMPLATES, Report, Result

from drip import config, mailer
from drip.service import app as app_module
from drip.service import dispatch, subscriptions
from smtp_sink import SmtpSink

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 15:00 UTC = 15:00 in London
TIMEZONE = "Europe/London"
CONSENT = subscriptions.Consent(source="benchmark", text="Synthetic patient for benchmarks.")
NAMES = ("Ana", "Ben", "Chloé", "Dev", "Eva", "Femi", "Gus", "Hana")
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


# --- databases ---------------------------------------------------------------------------
@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="drip-bench-") as tmp:
        yield f"sqlite:///{tmp}/drip.db"


@contextmanager
def postgres_database(raw: str) -> Iterator[str]:
    """A schema of its own on the server at `raw`, dropped afterwards."""
    admin = sa.create_engine(
        config.normalise_database_url(raw), connect_args={"connect_timeout": 5}
    )
    schema = f"drip_bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in raw else "?"
    try:
        yield f"{raw}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def postgres_version(raw: str) -> str | None:
    """The server's version, or None when it cannot be reached."""
    engine = sa.create_engine(
        config.normalise_database_url(raw), connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one()).split()[0]
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


# --- setup -------------------------------------------------------------------------------
def drip_env(database_url: str, smtp_url: str) -> dict[str, str]:
    return harness.clean_env(
        DRIP_DATABASE_URL=database_url,
        DRIP_SMTP_URL=smtp_url,
        DRIP_SEQUENCES=str(SEQUENCES),
        DRIP_TEMPLATES=str(TEMPLATES),
        DRIP_SECRET_KEY="bench",
        DRIP_BATCH_SIZE="100",
    )


def populate(env: dict[str, str], count: int, *, cwd: Path) -> float:
    """`drip db upgrade`, then `count` confirmed, enrolled subscribers; returns the seconds
    the subscribes took."""
    harness.run_cli(["db", "upgrade"], env=env, cwd=cwd)
    app = app_module.open_app(config.load(env))
    causes = [c.slug for c in app.plan.causes]
    try:
        start = time.perf_counter()
        for i in range(count):
            subscriptions.subscribe(
                app,
                email=f"patient{i:05d}@example.com",
                first_name=NAMES[i % len(NAMES)],
                cause=causes[i % len(causes)],
                timezone=TIMEZONE,
                consent=CONSENT,
                confirmed=True,
                now=T0,
            )
        return time.perf_counter() - start
    finally:
        app.store.dispose()


# --- the CLI tick ------------------------------------------------------------------------
_SUMMARY = re.compile(r"sent (\d+), .* in ([\d.]+)s")


def tick_cli(report: Report, *, label: str, database: str, count: int, runs: int) -> None:
    """`runs` fresh setups, each followed by one timed `drip tick --now T0`."""
    samples, dispatch_seconds, setups = [], [], []
    for _ in range(runs):
        with (
            _database(database) as url,
            SmtpSink() as sink,
            tempfile.TemporaryDirectory(prefix="drip-bench-cwd-") as cwd,
        ):
            env = drip_env(url, sink.url)
            setups.append(populate(env, count, cwd=Path(cwd)))
            seconds, out = harness.run_cli(
                ["tick", "--now", T0.isoformat().replace("+00:00", "Z")], env=env, cwd=Path(cwd)
            )
            received = len(sink.messages)
            match = _SUMMARY.search(out)
            if received != count or match is None or int(match.group(1)) != count:
                raise AssertionError(
                    f"{label}: the sink received {received} messages, expected {count}; "
                    f"drip said: {out.strip()!r}"
                )
            samples.append(seconds)
            dispatch_seconds.append(float(match.group(2)))
    inside = min(dispatch_seconds)
    report.add(
        Result(
            group="5",
            name=f"`drip tick --now` {count:,} deliveries → SMTP sink, {label}",
            samples=tuple(samples),
            per_op="message",
            ops=count,
            note=(
                f"sink received {count:,}/{count:,}; dispatch loop {inside:.2f} s "
                f"({count / inside:,.0f} msg/s) as drip reports it"
            ),
        )
    )
    report.add(
        Result(
            group="5",
            name=f"setup: `subscribe(confirmed=True)` in-process, {label}",
            samples=tuple(s / count for s in setups),
            per_op="subscriber",
            note="not part of the tick; 2 write transactions each",
        )
    )


@contextmanager
def _database(spec: str) -> Iterator[str]:
    if spec == "sqlite":
        with sqlite_database() as url:
            yield url
    else:
        with postgres_database(spec) as url:
            yield url


# --- the profile -------------------------------------------------------------------------
@dataclass(frozen=True)
class Bucket:
    label: str
    functions: tuple[tuple[str, str], ...]  # (path suffix, function name)


BUCKETS = (
    Bucket(
        "store (claim, state + suppression checks, mark_sent, sent steps)",
        (
            ("drip/store/outbox.py", "claim_due"),
            ("drip/store/outbox.py", "subscriber_state"),
            ("drip/store/outbox.py", "sent_step_ids"),
            ("drip/store/subscribers.py", "is_suppressed"),
            ("drip/store/outcomes.py", "mark_sent"),
        ),
    ),
    Bucket("smtp (envelope + DATA over loopback)", (("drip/mailer/smtp.py", "send"),)),
    Bucket("serialise (`as_bytes` in the mailer)", (("drip/mailer/base.py", "flatten"),)),
    Bucket("compose (personalise + build MIME)", (("drip/rendering/compose.py", "compose"),)),
    Bucket("signed links (`tokens.links`)", (("drip/tokens.py", "links"),)),
    Bucket("render (`Renderer.step`, 4 steps once)", (("drip/rendering/renderer.py", "step"),)),
    Bucket("planner (`planning.next_step`)", (("drip/planning.py", "next_step"),)),
)


def profile(report: Report, *, database: str, label: str, count: int) -> None:
    with (
        _database(database) as url,
        SmtpSink() as sink,
        tempfile.TemporaryDirectory(prefix="drip-bench-cwd-") as cwd,
    ):
        env = drip_env(url, sink.url)
        populate(env, count, cwd=Path(cwd))
        app = app_module.open_app(config.load(env))
        profiler = cProfile.Profile()
        try:
            with mailer.from_url(sink.url) as outgoing:
                dispatcher = dispatch.Dispatcher(
                    app=app, mailer=outgoing, clock=lambda: T0, owner="bench-profile"
                )
                profiler.enable()
                results = dispatcher.tick()
                profiler.disable()
        finally:
            app.store.dispose()
        sent = dispatch.total(results).sent
        if sent != count or len(sink.messages) != count:
            raise AssertionError(f"profile: sent {sent}, sink got {len(sink.messages)}")
    stats = pstats.Stats(profiler)
    report.sections.append(_describe(stats, label=label, count=count))


def _describe(stats: pstats.Stats, *, label: str, count: int) -> str:
    table = stats.stats  # type: ignore[attr-defined]
    tick = _cumulative(table, ("drip/service/dispatch.py", "tick"))
    shares = []
    for bucket in BUCKETS:
        seconds = sum(_cumulative(table, f) for f in bucket.functions)
        if bucket.label.startswith("smtp"):
            seconds -= _cumulative(table, ("drip/mailer/base.py", "flatten"))
        shares.append((bucket.label, seconds))
    shares.append(
        ("everything else (dispatch loop, zoneinfo, …)", tick - sum(s for _, s in shares))
    )
    lines = [
        f"### Where a tick's time goes ({label}, {count:,} deliveries, cProfile)",
        "",
        f"One in-process `Dispatcher.tick()`: {tick:.2f} s under the profiler "
        f"(profiling slows Python code, so compare shares, not seconds).",
        "",
    ]
    for name, seconds in sorted(shares, key=lambda s: -s[1]):
        lines.append(f"- {name}: **{100 * seconds / tick:.0f}%** ({seconds:.2f} s)")
    lines += ["", "Top 15 functions by cumulative time:", "", "```"]
    lines.append(f"{'ncalls':>9} {'tottime':>8} {'cumtime':>8}  function")
    ranked = sorted(table.items(), key=lambda kv: -kv[1][3])
    shown = 0
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in ranked:
        if path == "~" or "cProfile" in path:
            continue
        lines.append(f"{calls:>9} {tottime:>8.3f} {cumtime:>8.3f}  {_short(path)}:{line}({name})")
        shown += 1
        if shown == 15:
            break
    lines.append("```")
    return "\n".join(lines)


def _cumulative(table: dict, function: tuple[str, str]) -> float:  # type: ignore[type-arg]
    suffix, name = function
    return sum(
        value[3]
        for (path, _line, func), value in table.items()
        if func == name and path.replace("\\", "/").endswith(suffix)
    )


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/src/", "/lib/python3."):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return rest.split("/", 1)[1] if marker == "/lib/python3." else rest
    return path
