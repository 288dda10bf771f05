"""What ops run: migrations, status, one dispatch pass, and the jobs of the `drip run` daemon.

The dispatcher is wired here, once (`dispatcher`), for `drip tick`, `drip run` and the demo.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from drip import clock, config, durations, errors, logs, mailer, redact, store
from drip.service import app as app_module
from drip.service import dispatch, letters, pacing, tracking

if TYPE_CHECKING:  # imported where used: `drip tick` serves no metrics (prometheus_client)
    from drip.service import metrics

log = logging.getLogger("drip.daemon")


def upgrade_database(cfg: config.Config) -> str:
    """Create the database or migrate it to head; returns its URL as it may be shown."""
    db = store.Store(cfg.database_url)
    try:
        db.upgrade()
    finally:
        db.dispose()
    return redact.url(cfg.database_url)


@contextlib.contextmanager
def _database(cfg: config.Config) -> Iterator[store.Store]:
    """The database alone, for the commands that need nothing else."""
    db = store.Store(cfg.database_url)
    try:
        yield db
    finally:
        db.dispose()


def status(cfg: config.Config, *, now: datetime) -> tuple[store.Status, store.Pause | None]:
    """Subscribers by state, deliveries by state, what is due and held, the next due time; and
    the sending pause in force, if any."""
    with _database(cfg) as db:
        return db.status(now=now), db.sending_paused(now=now)


def health(app: app_module.App, *, now: datetime) -> dict[str, object]:
    """`/healthz` of the web app and of `drip run`: whether the database answers and, when it
    does, what is due, how long the oldest due delivery has waited, and any sending pause."""
    figures = queue_figures(app, now)
    if figures.status is None:
        return {"ok": False, "database": figures.error}
    oldest = figures.status.oldest_due
    return {
        "ok": True,
        "database": "ok",
        "due_now": figures.status.due_now,
        "oldest_due_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
        "sending_paused_until": figures.pause.until.isoformat() if figures.pause else None,
    }


def queue_figures(app: app_module.App, now: datetime) -> metrics.QueueFigures:
    """The database's status and pause, or the failure's type in one word (never its text:
    a driver's message can carry the URL)."""
    from drip.service import metrics

    try:
        return metrics.QueueFigures(app.store.status(now=now), app.store.sending_paused(now=now))
    except Exception as exc:  # any failure of the database is "unhealthy"
        return metrics.QueueFigures(None, error=type(exc).__name__)


def pause_sending(app: app_module.App, reason: str, *, until: datetime, by: str) -> store.Pause:
    """Pause sending for every worker (a relay's policy refusal, or `drip pause`)."""
    return app.store.pause_sending(
        until=until, reason=redact.addresses(reason), by=by, now=clock.utcnow()
    )


def pause(cfg: config.Config, reason: str, *, span: str) -> store.Pause:
    """`drip pause --for SPAN`: stop every worker's sending for that long (30m, 2h, 1d)."""
    try:
        length = durations.parse_duration(span)
    except ValueError as exc:
        raise errors.UsageError(f"--for: {exc}") from None
    if length <= timedelta(0):
        raise errors.UsageError(f"--for {span!r}: give a length, e.g. 30m, 2h or 1d")
    until = clock.utcnow() + length
    with _database(cfg) as db:
        return db.pause_sending(
            until=until, reason=redact.addresses(reason), by="drip pause", now=clock.utcnow()
        )


def resume(cfg: config.Config) -> store.Pause | None:
    """`drip resume`: lift the sending pause; the pause lifted, or None."""
    with _database(cfg) as db:
        return db.resume_sending()


def dispatcher(
    app: app_module.App,
    sender: dispatch.Sender,
    *,
    now: dispatch.Clock,
    simulated: bool,
    stop: threading.Event | None = None,
    owner: str | None = None,
    timings: dispatch.Timings | None = None,
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
        pace=pacing.no_pacing if simulated else shared_rate(app).wait,
        stop=stop or threading.Event(),
        timings=timings or dispatch.UNTIMED,
        stale_after=cfg.stale_after or None,
    )


def shared_rate(app: app_module.App) -> pacing.SharedRate:
    """DRIP_SEND_RATE (and DRIP_SEND_RATE_HOUR) for all workers together, counted in `app`'s
    database."""
    return pacing.SharedRate.of(
        app.store.take,
        per_second=app.config.send_rate,
        per_hour=app.config.send_rate_hour,
        clock=clock.utcnow,
    )


def tick(cfg: config.Config, *, at: datetime | None = None) -> dispatch.BatchResult:
    """One dispatch pass over everything due (at `at`, default now), then the total."""
    cfg.signing_keys()  # refuse to start without a key, before anything is claimed
    outgoing_mail = mailer.from_settings(cfg.smtp_url, dkim=cfg.dkim)
    with app_module.open_app(cfg) as app, outgoing_mail as outgoing:
        rescued = app.store.rescue_expired(now=clock.utcnow())  # a killed tick's claims
        if rescued:
            log.warning("rescued %d deliveries whose worker lease expired", rescued)
        app.store.purge_rate_limits(now=clock.utcnow())  # drip tick from cron: housekeeping
        paused = app.store.sending_paused(now=clock.utcnow())
        if paused is not None:
            return dispatch.BatchResult(halt=dispatch.Halt.PAUSED, pause_reason=_told(paused))
        when = (lambda: at) if at else clock.utcnow
        total = dispatch.total(dispatcher(app, outgoing, now=when, simulated=bool(at)).tick())
        if total.paused:
            until = clock.utcnow() + dispatch.PAUSE_FOR
            total.pause_reason = _told(
                pause_sending(app, total.pause_reason, until=until, by=cfg.worker_id)
            )
        return total


def _told(pause: store.Pause) -> str:
    """A pause as one line for an operator."""
    return (
        f"sending is paused for every worker until {pause.until.isoformat()} "
        f"(by {pause.paused_by}): {pause.reason}; `drip resume` lifts it"
    )


@contextlib.contextmanager
def background_dispatch(cfg: config.Config, *, every: float | None) -> Iterator[None]:
    """While inside, a thread dispatches what is due every `every` seconds (None: nothing)."""
    if every is None:
        yield
        return
    worker = Worker(cfg)
    stopped = threading.Event()

    def loop() -> None:
        while not stopped.wait(every):
            worker.dispatch_due()

    thread = threading.Thread(target=loop, name="drip-dispatch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        worker.stop.set()
        thread.join(10)
        worker.close()


class Worker:
    """The jobs `drip run`'s scheduler calls, and the state they share: the stop flag, the
    backoff while the database is away, the send budget's wait, the pause last seen, when the
    worker was last active, and its metrics."""

    def __init__(self, cfg: config.Config, *, stop: threading.Event | None = None) -> None:
        cfg.signing_keys()  # refuse to start without a key: never one made up on the spot
        self.config = cfg
        self.app = app_module.open_app(cfg)
        self.mailer = mailer.from_settings(cfg.smtp_url, dkim=cfg.dkim)
        self.stop = stop or threading.Event()
        self.busy = threading.Lock()
        self.away = 0.0  # seconds of backoff while the database is away
        self.away_until: datetime | None = None
        self.throttled_until: datetime | None = None  # the shared send budget is spent
        self.pause: store.Pause | None = None  # the sending pause last seen
        self.last_active: datetime | None = None  # the end of the last pass or batch
        self.batches_since_heartbeat = 0
        from drip.service import metrics

        self.metrics = metrics.Metrics(lambda now: queue_figures(self.app, now))
        self.dispatcher = dispatcher(
            self.app,
            self.mailer,
            now=clock.utcnow,
            simulated=False,
            stop=self.stop,
            timings=self.metrics,
        )

    def check_database(self) -> None:
        """Fail at start, with one clear line, rather than on every tick: an unreachable or
        never-migrated database is an operator's mistake to fix first."""
        self.app.store.status(now=clock.utcnow())

    def dispatch_due(self) -> None:
        now = clock.utcnow()
        if self.away_until and now < self.away_until:
            return
        try:
            if not self._paused(now) and not (self.throttled_until and now < self.throttled_until):
                self._dispatch()
        except Exception as exc:
            if not store.transient(exc):
                raise
            self.away = min(self.away * 2, 60.0) if self.away else 1.0
            self.away_until = clock.utcnow() + timedelta(seconds=self.away)
            log.error(
                "the database is away (%s); trying again in %gs", type(exc).__name__, self.away
            )
            return
        if self.away:
            log.info("the database is back")
        self.away, self.away_until = 0.0, None
        self.last_active = clock.utcnow()
        self.metrics.passed(self.last_active)

    def _paused(self, now: datetime) -> bool:
        """Whether sending is paused for every worker; said once when it starts and ends."""
        pause = self.app.store.sending_paused(now=now)
        if pause is not None and self.pause is None:
            log.warning("%s", _told(pause))
        elif pause is None and self.pause is not None:
            log.info("sending resumed")
        self.pause = pause
        return pause is not None

    def _dispatch(self) -> None:
        with self.busy:
            for result in self.dispatcher.batches():  # log each batch as it ends
                self.last_active = clock.utcnow()
                if result.claimed:
                    logs.batch(log, result)
                    self.metrics.batch(result)
                    self.batches_since_heartbeat += 1
                if result.paused:
                    self._pause_everyone(result.pause_reason)
                if result.halt is dispatch.Halt.THROTTLED and result.resume_at:
                    self.throttled_until = result.resume_at
                    log.info(
                        "the send rate's budget is spent; sending again at %s",
                        result.resume_at.isoformat(),
                    )

    def _pause_everyone(self, reason: str) -> None:
        until = clock.utcnow() + dispatch.PAUSE_FOR
        self.pause = pause_sending(self.app, reason, until=until, by=self.dispatcher.owner)
        log.error(
            "ALERT: the mail server refused us by policy; sending paused for every worker "
            "until %s: %s (`drip resume` lifts it once the cause is fixed)",
            self.pause.until.isoformat(),
            self.pause.reason,
        )

    def housekeeping(self) -> None:
        """Rescue the claims whose lease expired; purge the rate limits' closed windows."""
        # While this worker runs a batch, its own claims are alive, expired or not: it may be
        # writing the record of a send the relay took while the database was away (the
        # dispatcher keeps trying past the lease), and a rescue would send it again. Between
        # batches it holds none: any claim in its name is a dead predecessor's (same worker id).
        sparing = self.dispatcher.owner if self.busy.locked() else None
        rescued = self.app.store.rescue_expired(now=clock.utcnow(), sparing=sparing)
        if rescued:
            log.warning("rescued %d deliveries whose worker lease expired", rescued)
        self.app.store.purge_rate_limits(now=clock.utcnow())

    def heartbeat(self) -> None:
        """While idle, one line a minute saying so, with what is due and when the next is:
        a quiet log then means a quiet queue, not a dead worker."""
        if self.batches_since_heartbeat:
            self.batches_since_heartbeat = 0
            return
        figures = queue_figures(self.app, clock.utcnow())
        if figures.status is None:
            return  # the database is away: dispatch_due says so
        status = figures.status
        log.info(
            "idle: due now %d, next due %s",
            status.due_now,
            status.next_due.isoformat() if status.next_due else "none",
            extra={"fields": {"due_now": status.due_now, "paused": figures.pause is not None}},
        )

    def health(self, now: datetime) -> dict[str, object]:
        """`/healthz` of `drip run`: the database's health, and whether this worker is alive:
        unhealthy when it has not finished a pass or a batch for longer than a lease (a batch
        never runs past half of one)."""
        found = health(self.app, now=now)
        since = self.last_active
        age = None if since is None else round((now - since).total_seconds(), 1)
        stalled = max(3 * self.config.tick_interval, float(self.config.lease_seconds))
        alive = age is not None and age <= stalled
        return {
            **found,
            "ok": bool(found["ok"]) and alive,
            "worker": self.dispatcher.owner,
            "last_pass_at": since.isoformat() if since else None,
            "last_pass_age_seconds": age,
        }

    def close(self) -> None:
        """After the scheduler stopped: wait for the message in flight, release, disconnect."""
        with self.busy:
            released = self.app.store.release(self.dispatcher.owner)
        self.mailer.close()
        self.app.store.dispose()
        log.info("stopped; released %d claimed deliveries", released)
