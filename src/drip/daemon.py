"""`drip run`: APScheduler is the clock, the database is the queue (docs/architecture.md).

One interval job dispatches what is due (`coalesce=True`, `max_instances=1`), one housekeeping
job rescues expired leases, one heartbeat job says the worker is idle when it is; all live in a
memory job store, run by a background scheduler while the main thread waits for a signal. No
per-subscriber jobs. The jobs themselves are the service's `operations.Worker`; this shell only
schedules them, serves `--metrics-port`, and stops.

SIGTERM or SIGINT: the dispatcher finishes the message in flight, releases its other claims and
the process exits 0 — from the first instant of start-up on (a SIGTERM the console script heard
while the CLI loaded, `drip.signals`, is taken as soon as the handler is in place). A 5.7.x
reply (the relay refuses us by policy) pauses sending for every worker (kept in the database)
and logs an alert; it does not suppress anyone.
"""

from __future__ import annotations

import http.server
import json
import logging
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING

from drip import clock, config, logs, redact, signals

if TYPE_CHECKING:  # imported at run time only once the signal handlers are in place
    from apscheduler.schedulers.background import BackgroundScheduler

    from drip.service import operations

log = logging.getLogger("drip.daemon")

HOUSEKEEPING_SECONDS = 60  # at most: a short lease is rescued within a quarter of its length
HEARTBEAT_SECONDS = 60


def housekeeping_seconds(cfg: config.Config) -> float:
    """How often expired leases are looked for: every minute, or a quarter of a short lease."""
    return min(HOUSEKEEPING_SECONDS, cfg.lease_seconds / 4)


def run(cfg: config.Config, *, metrics_port: int | None = None, metrics_host: str = "") -> None:
    """Dispatch on an interval until SIGTERM or SIGINT; with `metrics_port`, serve /healthz and
    /metrics on it (port 0: any free one, named in the log)."""
    logs.configure(cfg.log_format)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():  # a second signal while stopping: the first one is enough
            log.info("received %s again; still finishing", name)
            return
        log.info("received %s; finishing the message in flight", name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for signum in signals.take_early():  # heard while the CLI was loading
        on_signal(signum, None)
    # The heavy part of start-up (SQLAlchemy, the templates) comes after the handlers: a stop
    # asked for while it loads is a clean stop, exit 0.
    from drip.service import operations

    worker = operations.Worker(cfg, stop=stop)
    worker.check_database()
    log.info("%s", startup_line(cfg), extra={"fields": startup_fields(cfg)})
    server = serve_metrics(worker, metrics_host or "127.0.0.1", metrics_port)
    scheduler = scheduler_for(cfg, worker)
    try:
        if not stop.is_set():
            scheduler.start()
            while not stop.wait(1.0):
                pass
            scheduler.shutdown(wait=False)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        worker.close()


def scheduler_for(cfg: config.Config, worker: operations.Worker) -> BackgroundScheduler:
    """The scheduler with drip run's jobs, not started."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    for job, seconds, name in (
        (worker.dispatch_due, cfg.tick_interval, "dispatch"),
        (worker.housekeeping, housekeeping_seconds(cfg), "housekeeping"),
        (worker.heartbeat, HEARTBEAT_SECONDS, "heartbeat"),
    ):
        at_once = {} if name == "heartbeat" else {"next_run_time": clock.utcnow()}
        scheduler.add_job(
            job, "interval", seconds=seconds, id=name, coalesce=True, max_instances=1, **at_once
        )
    return scheduler


def startup_fields(cfg: config.Config) -> dict[str, object]:
    """What `drip run` starts with: where it reads and sends (passwords hidden), who it is, and
    the settings that shape sending."""
    return {
        "worker": cfg.worker_id,
        "database": redact.url(cfg.database_url),
        "smtp": cfg.smtp_url.shown,
        "tick_interval": cfg.tick_interval,
        "batch_size": cfg.batch_size,
        "lease_seconds": cfg.lease_seconds,
        "send_rate": cfg.send_rate,
        "send_rate_hour": cfg.send_rate_hour,
        "sequences": str(cfg.sequences),
    }


def startup_line(cfg: config.Config) -> str:
    f = startup_fields(cfg)
    hourly = f", at most {f['send_rate_hour']} an hour" if cfg.send_rate_hour else ""
    return (
        f"drip run: worker {f['worker']}, database {f['database']}, smtp {f['smtp']}, "
        f"every {cfg.tick_interval:g}s, batch {cfg.batch_size}, lease {cfg.lease_seconds}s, "
        f"{cfg.send_rate:g} msg/s for all workers{hourly}"
    )


def serve_metrics(
    worker: operations.Worker, host: str, port: int | None
) -> http.server.ThreadingHTTPServer | None:
    """GET /healthz (JSON; 503 when unhealthy) and GET /metrics (Prometheus) in a thread."""
    if port is None:
        return None
    from drip.service import metrics

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                self._reply(200, metrics.CONTENT_TYPE, worker.metrics.scrape())
            elif self.path == "/healthz":
                found = worker.health(clock.utcnow())
                body = json.dumps(found).encode()
                self._reply(200 if found["ok"] else 503, "application/json", body)
            else:
                self._reply(404, "text/plain; charset=utf-8", b"not found: /healthz, /metrics\n")

        def _reply(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # scrapes every few seconds would drown the log

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="drip-metrics", daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    log.info(
        "metrics on http://%s:%d/metrics, health on /healthz",
        bound_host,
        bound_port,
        extra={"fields": {"metrics_port": bound_port}},
    )
    return server
