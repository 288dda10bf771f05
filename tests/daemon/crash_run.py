"""Kill `drip run` with SIGKILL again and again while it sends, restart it each time, and count
what the database and the SMTP server say happened: the crash-safety harness.

    figures = crash_run.run(url, deliveries=300, kills=4, seed=7, workdir=tmp_path)
    figures.lost, figures.duplicates, figures.max_duplicates_per_kill, figures.held_leases

Used by tests/daemon/test_daemon_crash.py (a few kills) and `python -m benchmarks.crash` (50).
`deliveries` welcome emails come due; each run of the daemon is killed at a moment chosen by a
seeded random generator, in one of these ways (`MODES`):

- `claim`: as soon as a batch's log line appears (within a poll): the next batch is being
  claimed, or its first message sent;
- `data`: while the server holds a DATA unanswered; then it is answered 250, and the server
  keeps the message unless it noticed the lost connection first (the duplicate a crash may
  cause: accepted, its reply never seen);
- `after_250`: by the server itself, right after it answered 250 to a DATA (the worker dies
  with the reply in hand, before or while recording it);
- `random` (the benchmark only): after a random delay once the run has started sending.

Then one last run sends what is left and stops with SIGTERM. Each accepted message is stamped
with the run that sent it, so every duplicate is traced to the run whose record was lost: at
most one per kill, and none from a run that was not killed. Waiting is bounded polling for a
state (a log line, a held DATA, rows in the database); only `random` waits for time.
"""

from __future__ import annotations

import collections
import random
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa
from crash_sink import CrashSink
from daemon_harness import Daemon, environment, make_due, poll, subscribe_due

from drip import config, store
from drip.store import models
from smtp_sink import Received

MODES = ("claim", "data", "after_250")
BENCHMARK_MODES = (*MODES, "random")
# ?timeout=1 lets the lease be short (config: at least 4 timeouts): a killed run's claims are
# rescued by the next run within seconds (housekeeping every quarter lease).
SMTP_TIMEOUT = "?timeout=1"
LEASE_SECONDS = 5
BATCH_SIZE = 25
FINAL_STATES = (store.DeliveryState.SENT, store.DeliveryState.SUPPRESSED)
KILL_WAIT = 60.0  # seconds a kill moment may take to come (a rescue takes a lease)


@dataclass(kw_only=True)
class Figures:
    """What one crash run measured; `as_json` is what the benchmark writes."""

    database: str
    seed: int
    deliveries: int
    kills: int
    kills_by_mode: dict[str, int] = field(default_factory=dict)
    accepted: int = 0  # messages the server accepted, duplicates included
    sent: int = 0  # deliveries recorded as sent
    lost: int = 0  # deliveries neither sent, suppressed, nor failed with a reason
    duplicates: int = 0  # acceptances beyond the first of a Message-ID
    max_duplicates_per_kill: int = 0
    unexplained_duplicates: int = 0  # a duplicate not traced to a killed run's lost record
    unrecorded: int = 0  # a Message-ID the server got that no sent row carries
    held_leases: int = 0  # rows still sending, or with a lease, at the end
    retried: int = 0  # deliveries with a failed attempt (a send that timed out, say)
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return asdict(self)


Say = Callable[[str], None]


def run(
    database_url: str,
    *,
    deliveries: int,
    kills: int,
    seed: int,
    workdir: Path,
    modes: tuple[str, ...] = MODES,
    say: Say = lambda _line: None,
) -> Figures:
    """The whole crash run on a migrated, empty database; see the module docstring."""
    started = time.monotonic()
    rng = random.Random(seed)
    plan = [modes[n % len(modes)] for n in range(kills)]  # every mode, in a random order
    rng.shuffle(plan)
    figures = Figures(
        database=database_url.split(":", 1)[0].split("+", 1)[0],
        seed=seed,
        deliveries=deliveries,
        kills=kills,
    )
    db = store.Store(database_url)
    sink = CrashSink()
    with sink:
        env = environment(
            database_url,
            sink.url + SMTP_TIMEOUT,
            lease_seconds=LEASE_SECONDS,
            batch_size=BATCH_SIZE,
            tick_interval=0.2,
        )
        subscribe_due(config.load(env), deliveries)
        say(f"{deliveries} deliveries due; kills: {' '.join(plan) or 'none'}; seed {seed}")
        for generation, mode in enumerate(plan):
            sink.generation = generation
            daemon = Daemon.start(env, workdir / f"run-{generation}.log", cwd=workdir)
            try:
                _kill(mode, daemon, sink, db, rng, deliveries=deliveries, kills=kills)
            finally:
                daemon.kill()
                sink.disarm()
                sink.release()  # a held DATA is answered: accepted after the worker died
                poll(lambda: not sink.held, timeout=10, what="the held DATA answered")
            figures.kills_by_mode[mode] = figures.kills_by_mode.get(mode, 0) + 1
            say(f"kill {generation + 1}/{kills} ({mode}): {len(sink.messages)} accepted so far")
        sink.generation = kills
        last = Daemon.start(env, workdir / f"run-{kills}.log", cwd=workdir)
        try:
            _wait_settled(last, db)
            assert last.stop(timeout=30) == 0, last.tail()
        finally:
            last.kill()
        _count(figures, db, sink)
    db.dispose()
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


def _kill(
    mode: str,
    daemon: Daemon,
    sink: CrashSink,
    db: store.Store,
    rng: random.Random,
    *,
    deliveries: int,
    kills: int,
) -> None:
    """Let `daemon` run until the moment `mode` picks, then SIGKILL it and wait for the exit."""
    # how many more messages this run may accept: about an even share of what is left
    share = max(1, 2 * unsent(db) // (kills + 1))
    ahead = rng.randint(1, max(1, min(share, unsent(db))))
    accepted = len(sink.messages)
    if mode == "data":
        sink.hold_after(accepted + ahead - 1)
        daemon.wait_alive_for(lambda: sink.held, timeout=KILL_WAIT, what="a held DATA")
    elif mode == "after_250":
        sink.kill_after(accepted + ahead, daemon.proc.pid)
        poll(lambda: daemon.proc.poll() is not None, timeout=KILL_WAIT, what="the kill after 250")
    elif mode == "claim":
        daemon.wait_for_record(
            lambda r: r["message"].startswith("batch:"), timeout=KILL_WAIT, what="a batch line"
        )
    elif mode == "random":
        poll(lambda: len(sink.messages) > accepted, timeout=KILL_WAIT, what="a first send")
        time.sleep(rng.uniform(0.0, 2.0))  # the benchmark's random moment: time is the point
    else:
        raise ValueError(f"unknown kill mode {mode!r}")
    daemon.signal(signal.SIGKILL)
    daemon.wait(timeout=10)


def unsent(db: store.Store) -> int:
    """Welcome emails still pending or being sent."""
    d = models.DeliveryRow
    query = sa.select(sa.func.count()).where(
        d.step_id == "welcome",
        d.state.in_([store.DeliveryState.PENDING, store.DeliveryState.SENDING]),
    )
    with db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _wait_settled(daemon: Daemon, db: store.Store) -> None:
    """Until no welcome is pending or sending (the killed runs' claims wait for their lease).

    A send that timed out on a loaded machine is retried after a backoff of minutes: that
    time is made to pass (`make_due`) rather than waited for."""

    def settled() -> bool:
        make_due(db)
        return unsent(db) == 0

    daemon.wait_alive_for(settled, timeout=120, what="every delivery settled")


def _count(figures: Figures, db: store.Store, sink: CrashSink) -> None:
    """The figures, from the rows and from the bytes the server accepted."""
    d = models.DeliveryRow
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(d.state, d.last_error, d.message_id, d.attempts).where(d.step_id == "welcome")
        ).all()
        figures.held_leases = int(
            conn.execute(
                sa.select(sa.func.count()).where(
                    sa.or_(d.state == store.DeliveryState.SENDING, d.lease_expires_at.is_not(None))
                )
            ).scalar_one()
        )
    failed_with_reason = sum(
        1 for r in rows if r.state is store.DeliveryState.FAILED and r.last_error
    )
    settled = sum(1 for r in rows if r.state in FINAL_STATES) + failed_with_reason
    figures.lost = figures.deliveries - settled
    sent_ids = {r.message_id for r in rows if r.state is store.DeliveryState.SENT}
    figures.sent = len(sent_ids)
    figures.retried = sum(1 for r in rows if r.attempts)

    accepted = [(generation, message_id(m)) for generation, m in sink.accepted]
    figures.accepted = len(accepted)
    counts = collections.Counter(mid for _, mid in accepted)
    figures.duplicates = sum(n - 1 for n in counts.values())
    figures.unrecorded = len(set(counts) - sent_ids)
    # A run's acceptance is a duplicate's origin when the same Message-ID is accepted again by
    # a later run: that run lost its record. Only killed runs (generation < kills) may.
    last_run = {mid: generation for generation, mid in accepted}
    lost_records = collections.Counter(
        generation for generation, mid in accepted if last_run[mid] > generation
    )
    figures.max_duplicates_per_kill = max(lost_records.values(), default=0)
    within_a_run = sum(
        n - 1 for n in collections.Counter(accepted).values()
    )  # the same message twice from one run: never a crash's doing
    from_unkilled = sum(n for generation, n in lost_records.items() if generation >= figures.kills)
    figures.unexplained_duplicates = within_a_run + from_unkilled


def message_id(received: Received) -> str:
    """The Message-ID header of the raw bytes the server accepted."""
    return str(received.message["Message-ID"])


def table(figures: list[Figures]) -> str:
    """The figures as a Markdown table, one row per database."""
    head = (
        "| database | deliveries | kills (claim/data/after 250/random) | accepted | lost "
        "| duplicates | max per kill | unexplained | held leases | wall time |"
    )
    lines = [head, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for f in figures:
        by_mode = "/".join(str(f.kills_by_mode.get(m, 0)) for m in BENCHMARK_MODES)
        lines.append(
            f"| {f.database} | {f.deliveries:,} | {f.kills} ({by_mode}) | {f.accepted:,} "
            f"| {f.lost} | {f.duplicates} | {f.max_duplicates_per_kill} "
            f"| {f.unexplained_duplicates} | {f.held_leases} | {f.seconds:.0f} s |"
        )
    return "\n".join(lines)
