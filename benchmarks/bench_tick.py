"""Benchmark 5: `drip tick` over N due deliveries to a real SMTP server on loopback.

Setup (not timed): a new database (a SQLite file, or a PostgreSQL schema of its own reached
through `?options=-csearch_path=…`, as tests/conftest.py does), `drip db upgrade`, then N
confirmed subscribers over the causes, enrolled in-process through the service API at T0 (a
Tuesday, 15:00 UTC; Europe/London, so the welcome step is due at T0). Timed: `drip tick --now
T0` as a subprocess, sending to tests/smtp_sink.py's SmtpSink. The sink must have received
exactly N messages, or the benchmark fails.

bench_breakdown.py reuses the setup to show where an in-process tick spends its time.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import harness
import sqlalchemy as sa
from harness import SEQUENCES, TEMPLATES, Report, Result

import pg_schema
from drip import config
from drip.service import app as app_module
from drip.service import subscriptions
from smtp_sink import SmtpSink

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tuesday 15:00 UTC = 15:00 in London
TIMEZONE = "Europe/London"
CONSENT = subscriptions.Consent(source="benchmark", text="Synthetic patient for benchmarks.")
NAMES = ("Ana", "Ben", "Chloé", "Dev", "Eva", "Femi", "Gus", "Hana")
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


# --- databases ---------------------------------------------------------------------------
@contextmanager
def sqlite_database() -> Iterator[str]:
    """The URL of a SQLite file in a new temporary directory."""
    with tempfile.TemporaryDirectory(prefix="drip-bench-") as tmp:
        yield f"sqlite:///{tmp}/drip.db"


def postgres_database(raw: str) -> contextlib.AbstractContextManager[str]:
    """A schema of its own on the server at `raw`, dropped afterwards (tests/pg_schema.py)."""
    return pg_schema.fresh_schema(raw, prefix="drip_bench")


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
        DRIP_SECRET_KEY="bench-secret-key-0123456789abcdefghij",
        DRIP_SUPPRESSION_KEY="bench-suppression-key-0123456789abcdef",
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


_templates: dict[int, tuple[Path, float]] = {}  # SQLite: count → (populated file, seconds)
_template_dir: tempfile.TemporaryDirectory[str] | None = None


@contextmanager
def populated(spec: str, count: int) -> Iterator[tuple[str, float | None]]:
    """A database (`sqlite`, or a PostgreSQL URL) with `count` enrolled subscribers, and the
    seconds their subscribes took (None when the database is a copy of one measured before).

    PostgreSQL: a new schema populated each time. SQLite: populated once per `count`, then the
    file is copied, which gives the same database and saves the setup of later runs."""
    if spec != "sqlite":
        with postgres_database(spec) as url, tempfile.TemporaryDirectory() as cwd:
            yield url, populate(drip_env(url, "memory://"), count, cwd=Path(cwd))
        return
    global _template_dir
    fresh: float | None = None
    if count not in _templates:
        if _template_dir is None:
            _template_dir = tempfile.TemporaryDirectory(prefix="drip-bench-template-")
        folder = Path(_template_dir.name)
        file = folder / f"populated-{count}.db"
        fresh = populate(drip_env(f"sqlite:///{file}", "memory://"), count, cwd=folder)
        _templates[count] = (file, fresh)
    template, _seconds = _templates[count]
    with sqlite_database() as url:
        target = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):  # normally only the .db: dispose() checkpoints
            if Path(f"{template}{suffix}").exists():
                shutil.copyfile(f"{template}{suffix}", f"{target}{suffix}")
        yield url, fresh


# --- the CLI tick ------------------------------------------------------------------------
_SUMMARY = re.compile(r"sent (\d+), .* in ([\d.]+)s")


def tick_cli(report: Report, *, label: str, database: str, count: int, runs: int) -> None:
    """`runs` fresh databases, each followed by one timed `drip tick --now T0`."""
    samples, dispatch_seconds, setups = [], [], []
    for _ in range(runs):
        with (
            populated(database, count) as (url, setup),
            SmtpSink() as sink,
            tempfile.TemporaryDirectory(prefix="drip-bench-cwd-") as cwd,
        ):
            env = drip_env(url, sink.url)
            if setup is not None:
                setups.append(setup)
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
            note=(
                "not part of the tick; one write transaction each"
                + ("; SQLite: populated once, then copied" if database == "sqlite" else "")
            ),
        )
    )
