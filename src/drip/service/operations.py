"""What ops run: migrations, status, one dispatch pass, and the jobs of the `drip run` daemon.

The dispatcher is wired here, once (`dispatcher`), for `drip tick`, `drip run` and the demo.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from drip import clock, config, logs, mailer, redact, store
from drip.service import app as app_module
from drip.service import dispatch, letters, tracking

log = logging.getLogger("drip.daemon")


def upgrade_database(cfg: config.Config) -> str:
    """Create the database or migrate it to head; returns its URL as it may be shown."""
    db = store.Store(cfg.database_url)
    try:
        db.upgrade()
    finally:
        db.dispose()
    return redact.url(cfg.database_url)


def status(cfg: config.Config, *, now: datetime) -> store.Status:
    """Subscribers by state, deliveries by state, what is due and held, the next due time."""
    db = store.Store(cfg.database_url)
    try:
        return db.status(now=now)
    finally:
        db.dispose()


def health(app: app_module.App, *, now: datetime) -> dict[str, object]:
    """`/healthz`: whether the database answers (and, when it does, what is due)."""
    try:
        due = app.store.status(now=now).due_now
    except Exception as exc:  # any failure of the database is "unhealthy", said in one word
        return {"ok": False, "database": type(exc).__name__}
    return {"ok": True, "database": "ok", "due_now": due}


def dispatcher(
    app: app_module.App,
    sender: dispatch.Sender,
    *,
    now: dispatch.Clock,
    simulated: bool,
    stop: threading.Event | None = None,
    owner: str | None = None,
) -> dispatch.Dispatcher:
    """The dispatcher over `app`'s store, sending with `sender`. Simulated time (`drip tick
    --now`, the demo) is not paced; leases always run on the real clock."""
    cfg = app.config
    return dispatch.Dispatcher(
        outbox=app.store,
        sender=sender,
        letters=letters.Letters(
            plan=app.plan,
            renderer=app.renderer,
            keys=app.keys,
            base_url=app.base_url,
            tracker=tracking.Tracker(links=app.store, keys=app.keys, base_url=app.base_url)
            if cfg.tracking
            else None,
        ),
        plan=app.plan,
        clock=now,
        lease_clock=clock.utcnow,
        owner=owner or cfg.worker_id,
        batch_size=cfg.batch_size,
        lease_seconds=cfg.lease_seconds,
        pace=dispatch.no_pacing if simulated else dispatch.Pacer(cfg.send_rate).wait,
        stop=stop or threading.Event(),
    )


def tick(cfg: config.Config, *, at: datetime | None = None) -> dispatch.BatchResult:
    """One dispatch pass over everything due (at `at`, default now), then the total."""
    cfg.signing_keys()  # refuse to start without a key, before anything is claimed
    with app_module.open_app(cfg) as app, mailer.from_settings(cfg.smtp_url) as outgoing:
        when = (lambda: at) if at else clock.utcnow
        return dispatch.total(dispatcher(app, outgoing, now=when, simulated=bool(at)).tick())


class Worker:
    """The jobs `drip run`'s scheduler calls, and the state they share (stop flag, pause)."""

    def __init__(self, cfg: config.Config) -> None:
        cfg.signing_keys()  # refuse to start without a key: never one made up on the spot
        self.app = app_module.open_app(cfg)
        self.mailer = mailer.from_settings(cfg.smtp_url)
        self.stop = threading.Event()
        self.busy = threading.Lock()
        self.paused_until: datetime | None = None
        self.dispatcher = dispatcher(
            self.app, self.mailer, now=clock.utcnow, simulated=False, stop=self.stop
        )

    def check_database(self) -> None:
        """Fail at start, with one clear line, rather than on every tick: an unreachable or
        never-migrated database is an operator's mistake to fix first."""
        self.app.store.status(now=clock.utcnow())

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
