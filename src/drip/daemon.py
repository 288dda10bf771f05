"""`drip run`: APScheduler is the clock, the database is the queue (DESIGN.md).

One interval job dispatches what is due (`coalesce=True`, `max_instances=1`), one housekeeping
job rescues expired leases; both live in a memory job store. No per-subscriber jobs.

On SIGTERM or SIGINT the dispatcher finishes the message in flight, releases its other claims
and the process exits 0. A 5.7.x reply (the relay refuses us by policy) pauses dispatch for
`dispatch.PAUSE_FOR` and logs an alert; it does not suppress anyone.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from drip import clock, config, logs, mailer, redact
from drip.service import app as app_module
from drip.service import dispatch

log = logging.getLogger("drip.daemon")

HOUSEKEEPING_SECONDS = 60


class Worker:
    """The jobs the scheduler calls, and the state they share (the stop flag, a policy pause)."""

    def __init__(self, cfg: config.Config) -> None:
        self.app = app_module.open_app(cfg)
        self.mailer = mailer.from_settings(cfg.smtp_url)
        self.stop = threading.Event()
        self.busy = threading.Lock()
        self.paused_until: datetime | None = None
        self.dispatcher = dispatch.Dispatcher(
            app=self.app,
            mailer=self.mailer,
            clock=clock.utcnow,
            lease_clock=clock.utcnow,
            owner=cfg.worker_id,
            pace=dispatch.Pacer(cfg.send_rate).wait,
            stop=self.stop,
        )

    def dispatch_due(self) -> None:
        if self.paused_until and clock.utcnow() < self.paused_until:
            return
        with self.busy:
            for result in self.dispatcher.batches():  # log each batch as it ends
                if result.claimed:
                    logs.batch(log, result)
                if result.paused:
                    self.paused_until = clock.utcnow() + dispatch.PAUSE_FOR
                    log.error(
                        "ALERT: the mail server refused us by policy; sending paused until %s: %s",
                        self.paused_until.isoformat(),
                        redact.addresses(result.pause_reason),
                    )

    def housekeeping(self) -> None:
        rescued = self.app.store.rescue_expired(now=clock.utcnow())
        if rescued:
            log.warning("rescued %d deliveries whose worker lease expired", rescued)

    def close(self) -> None:
        """After the scheduler stopped: wait for the message in flight, release, disconnect."""
        with self.busy:
            released = self.app.store.release(self.dispatcher.owner)
        self.mailer.close()
        self.app.store.dispose()
        log.info("stopped; released %d claimed deliveries", released)


def run(cfg: config.Config) -> None:
    logs.configure(cfg.log_format)
    cfg.signing_keys()  # refuse to start without a key: never one made up on the spot
    worker = Worker(cfg)
    # Fail at start, with one clear line (the CLI translates it), rather than on every tick:
    # an unreachable or never-migrated database is an operator's mistake to fix first.
    worker.app.store.status(now=clock.utcnow())
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        worker.dispatch_due,
        "interval",
        seconds=cfg.tick_interval,
        id="dispatch",
        coalesce=True,
        max_instances=1,
        next_run_time=clock.utcnow(),
    )
    scheduler.add_job(
        worker.housekeeping,
        "interval",
        seconds=HOUSEKEEPING_SECONDS,
        id="housekeeping",
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
