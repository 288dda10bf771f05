"""Several `drip run` processes on one database, one SMTP server: every due delivery must be
accepted exactly once (claims never overlap; every outcome is fenced by the lease).

    figures = workers_run.run(url, workers=3, deliveries=600, workdir=tmp_path)
    figures.accepted, figures.duplicates, figures.sent_by

Used by tests/daemon/test_daemon_workers.py and `python -m benchmarks.workers`. Read from the
rows (a sent row keeps the worker that recorded it) and from the bytes the server accepted.
"""

from __future__ import annotations

import collections
import concurrent.futures
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa
from crash_run import message_id, unsent
from daemon_harness import TIMEZONE, Daemon, environment, recent_enrollment

from drip import config, store
from drip.service import app as app_module
from drip.service import subscriptions
from drip.store import models
from smtp_sink import SmtpSink

BATCH_SIZE = 50


@dataclass(kw_only=True)
class Figures:
    database: str
    workers: int
    deliveries: int
    accepted: int = 0  # messages the server accepted, duplicates included
    unique: int = 0  # distinct Message-IDs among them
    duplicates: int = 0
    sent: int = 0  # rows recorded as sent
    lost: int = 0  # rows not sent at the end
    unrecorded: int = 0  # Message-IDs the server got that no sent row carries
    lease_lost: int = 0  # outcomes dropped by the fence, from the workers' batch lines
    sent_by: dict[str, int] = field(default_factory=dict)  # rows per worker that recorded them
    seed_seconds: float = 0.0
    send_seconds: float = 0.0  # from the first worker's start to every row settled

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @property
    def per_second(self) -> float:
        return self.sent / self.send_seconds if self.send_seconds else 0.0


def run(
    database_url: str, *, workers: int, deliveries: int, workdir: Path, timeout: float = 0.0
) -> Figures:
    """`deliveries` welcomes come due on a migrated, empty database; `workers` daemons send
    them; then each stops with SIGTERM and the figures are read back."""
    figures = Figures(
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        workers=workers,
        deliveries=deliveries,
    )
    db = store.Store(database_url)
    sink = SmtpSink()
    with sink:
        env = environment(database_url, sink.url, batch_size=BATCH_SIZE, tick_interval=0.2)
        seeding = time.monotonic()
        subscribe_many(config.load(env), deliveries)
        figures.seed_seconds = round(time.monotonic() - seeding, 1)
        started = time.monotonic()
        daemons = [
            Daemon.start(
                {**env, "DRIP_WORKER_ID": f"worker-{n}"}, workdir / f"worker-{n}.log", cwd=workdir
            )
            for n in range(1, workers + 1)
        ]
        try:
            daemons[0].wait_alive_for(
                lambda: unsent(db) == 0,
                timeout=timeout or 60 + deliveries / 10,
                what="every delivery sent",
            )
            figures.send_seconds = round(time.monotonic() - started, 1)
            for daemon in daemons:
                daemon.signal(signal.SIGTERM)
            for daemon in daemons:
                assert daemon.wait(30) == 0, daemon.tail()
        finally:
            for daemon in daemons:
                daemon.kill()
        figures.lease_lost = sum(b["lease_lost"] for d in daemons for b in d.batches())
        _count(figures, db, sink)
    db.dispose()
    return figures


def subscribe_many(cfg: config.Config, count: int, *, threads: int = 4) -> None:
    """daemon_harness.subscribe_due for thousands: the same confirmed patients, welcome due
    now, subscribed from a few threads (each subscription is its own transaction, so the
    database's round trips overlap; 10,000 one by one take minutes on PostgreSQL)."""
    app = app_module.open_app(cfg)
    at = recent_enrollment(cfg)
    slugs = [cause.slug for cause in app.plan.causes]

    def one(n: int) -> None:
        subscriptions.subscribe(
            app,
            email=f"patient{n:05d}@example.org",
            first_name=f"Pat{n}",
            cause=slugs[n % len(slugs)],
            timezone=TIMEZONE,
            consent=subscriptions.Consent(source="test", text="workers benchmark"),
            confirmed=True,
            now=at,
        )

    try:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for done in pool.map(one, range(count)):
                assert done is None
    finally:
        app.store.dispose()


def _count(figures: Figures, db: store.Store, sink: SmtpSink) -> None:
    d = models.DeliveryRow
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(d.state, d.message_id, d.lease_owner).where(d.step_id == "welcome")
        ).all()
    sent = [r for r in rows if r.state is store.DeliveryState.SENT]
    figures.sent = len(sent)
    figures.lost = figures.deliveries - len(sent)
    figures.sent_by = dict(sorted(collections.Counter(str(r.lease_owner) for r in sent).items()))
    counts = collections.Counter(message_id(m) for m in sink.messages)
    figures.accepted = sum(counts.values())
    figures.unique = len(counts)
    figures.duplicates = figures.accepted - figures.unique
    figures.unrecorded = len(set(counts) - {r.message_id for r in sent})


def table(rounds: list[Figures]) -> str:
    lines = [
        "| round | database | workers | deliveries | accepted | duplicates | lost "
        "| lease lost | sent per worker | seconds | msg/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for n, f in enumerate(rounds, 1):
        per_worker = " / ".join(str(v) for v in f.sent_by.values())
        lines.append(
            f"| {n} | {f.database} | {f.workers} | {f.deliveries:,} | {f.accepted:,} "
            f"| {f.duplicates} | {f.lost} | {f.lease_lost} | {per_worker} "
            f"| {f.send_seconds:.1f} | {f.per_second:.0f} |"
        )
    return "\n".join(lines)
