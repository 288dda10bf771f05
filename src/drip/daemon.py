"""`drip run`: APScheduler is the clock, the database is the queue (docs/architecture.md).

One interval job dispatches what is due (`coalesce=True`, `max_instances=1`), one housekeeping
job rescues expired leases; both live in a memory job store. No per-subscriber jobs. The jobs
themselves are the service's `operations.Worker`; this shell only schedules them and stops.

On SIGTERM or SIGINT the dispatcher finishes the message in flight, releases its other claims
and the process exits 0. A 5.7.x reply (the relay refuses us by policy) pauses dispatch for
`dispatch.PAUSE_FOR` and logs an alert; it does not suppress anyone.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from drip import clock, config, logs
from drip.service import operations

log = logging.getLogger("drip.daemon")

HOUSEKEEPING_SECONDS = 60  # at most: a short lease is rescued within a quarter of its length


def housekeeping_seconds(cfg: config.Config) -> float:
    """How often expired leases are looked for: every minute, or a quarter of a short lease."""
    return min(HOUSEKEEPING_SECONDS, cfg.lease_seconds / 4)


def run(cfg: config.Config) -> None:
    logs.configure(cfg.log_format)
    worker = operations.Worker(cfg)
    worker.check_database()
    scheduler = BlockingScheduler(timezone="UTC")
    for job, seconds, name in (
        (worker.dispatch_due, cfg.tick_interval, "dispatch"),
        (worker.housekeeping, housekeeping_seconds(cfg), "housekeeping"),
    ):
        scheduler.add_job(
            job,
            "interval",
            seconds=seconds,
            id=name,
            coalesce=True,
            max_instances=1,
            next_run_time=clock.utcnow(),
        )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if worker.stop.is_set():  # a second signal while stopping: the first one is enough
            log.info("received %s again; still finishing", signal.Signals(signum).name)
            return
        log.info("received %s; finishing the message in flight", signal.Signals(signum).name)
        worker.stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info(
        "drip run: worker %s, every %gs, batch %d, %g msg/s",
        cfg.worker_id,
        cfg.tick_interval,
        cfg.batch_size,
        cfg.send_rate,
    )
    scheduler.start()
    worker.close()
