"""What `drip run --metrics-port` exposes: Prometheus metrics and the health of the worker.

Counters and histograms are this worker's (a registry of its own, so that several in one
process never mix): deliveries by how they ended, batches, passes, claims handed back, and
the latency of claiming a batch and of handing one message to the relay. The queue's figures
(what is due, the age of the oldest due delivery, deliveries by state, expired leases, the
sending pause) are read from the database at each scrape: they are every worker's.

Nothing here carries a patient's address or cause: labels are outcomes and states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from drip import clock, store
from drip.service import dispatch

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
disable_created_metrics()  # type: ignore[no-untyped-call]  # no `*_created` twins: unread
_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """This worker's metrics; `queue` reads the database's figures at each scrape."""

    def __init__(self, queue: Callable[[datetime], QueueFigures]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.deliveries = Counter(
            "drip_deliveries", "Claimed deliveries by how they ended", ["outcome"], registry=r
        )
        for verdict in dispatch.Verdict:
            self.deliveries.labels(verdict.value)  # every outcome present from the start, at 0
        self.batches = Counter("drip_batches", "Batches dispatched", registry=r)
        self.passes = Counter(
            "drip_passes", "Dispatch passes run (paused ones included)", registry=r
        )
        self.released = Counter(
            "drip_released", "Claims handed back unsent when a batch stopped early", registry=r
        )
        self.claim_seconds = Histogram(
            "drip_claim_seconds", "Time to claim a batch", buckets=_LATENCY, registry=r
        )
        self.send_seconds = Histogram(
            "drip_send_seconds",
            "Time to hand one message to the relay",
            buckets=_LATENCY,
            registry=r,
        )
        self.last_pass = Gauge(
            "drip_last_pass_timestamp_seconds", "When this worker last finished a pass", registry=r
        )
        r.register(_Queue(queue))

    def claimed(self, seconds: float) -> None:
        self.claim_seconds.observe(seconds)

    def sent(self, seconds: float) -> None:
        self.send_seconds.observe(seconds)

    def batch(self, result: dispatch.BatchResult) -> None:
        self.batches.inc()
        for verdict, n in result.verdicts.items():
            if n:
                self.deliveries.labels(verdict.value).inc(n)
        if result.released:
            self.released.inc(result.released)

    def passed(self, at: datetime) -> None:
        self.passes.inc()
        self.last_pass.set(at.timestamp())

    def scrape(self) -> bytes:
        return generate_latest(self.registry)


class QueueFigures:
    """The database's side of a scrape: its status, the pause in force, or why it failed."""

    def __init__(
        self,
        status: store.Status | None,
        pause: store.Pause | None = None,
        *,
        error: str | None = None,
    ) -> None:
        self.status, self.pause, self.error = status, pause, error


class _Queue(Collector):
    def __init__(self, read: Callable[[datetime], QueueFigures]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        now = clock.utcnow()
        figures = self.read(now)
        yield GaugeMetricFamily(
            "drip_database_up",
            "1 when the database answered this scrape",
            value=figures.error is None,
        )
        status = figures.status
        if status is None:
            return
        yield GaugeMetricFamily("drip_due", "Deliveries due now", value=status.due_now)
        lag = (now - status.oldest_due).total_seconds() if status.oldest_due else 0.0
        yield GaugeMetricFamily(
            "drip_queue_lag_seconds", "How long the oldest due delivery has waited", value=lag
        )
        yield GaugeMetricFamily(
            "drip_leases_expired",
            "Claims of a worker that died, waiting for the rescue",
            value=status.leases_expired,
        )
        yield GaugeMetricFamily(
            "drip_sending_paused",
            "1 while sending is paused for every worker",
            value=figures.pause is not None,
        )
        by_state = GaugeMetricFamily(
            "drip_deliveries_in_state", "Deliveries by state", labels=["state"]
        )
        for state, n in status.deliveries.items():
            by_state.add_metric([state.value], n)
        yield by_state
        subscribers = GaugeMetricFamily(
            "drip_subscribers", "Subscribers by state", labels=["state"]
        )
        for who, n in status.subscribers.items():
            subscribers.add_metric([who.value], n)
        yield subscribers
