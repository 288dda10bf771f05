"""How fast drip sends: a rate per second (and per hour) that holds across every worker.

The budget is counted in the database (`Store.take`, epoch-aligned windows), so three workers on
one PostgreSQL send at most the configured rate together, not three times it. Each worker takes
a few sends at a time (a quarter of a second's worth), and spaces its own sends evenly
(`Pacer`), so that the relay sees a steady flow rather than bursts at each second.

When the budget of the hour is spent, waiting for it inside a batch would hold claims past their
lease: `SharedRate.wait` raises `Throttled` instead, the batch hands its claims back, and the
worker waits out the window between passes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drip import store

log = logging.getLogger("drip.dispatch")

LONGEST_WAIT = 2.0  # seconds a send may wait for the budget inside a batch; longer: Throttled
SECOND_KEY, HOUR_KEY = "send-rate:second", "send-rate:hour"

Take = Callable[..., int]  # Store.take(key, wanted, *, now, window, limit) -> granted


class Throttled(Exception):
    """The shared send budget is spent for longer than a batch may wait: retry at `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"the send rate's budget is spent until {until.isoformat()}")
        self.until = until


@dataclass
class Pacer:
    """Keeps one worker's sends at or under `rate` per second, evenly spaced."""

    rate: float
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    _next: float = field(default=0.0, init=False)

    def wait(self) -> None:
        now = self.monotonic()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate


def no_pacing() -> None:
    """For simulated time (the demo, `drip tick --now`): nothing to wait for."""


@dataclass(frozen=True)
class Window:
    """`limit` sends per `span`, counted under `key`."""

    key: str
    span: timedelta
    limit: int

    @classmethod
    def per_second(cls, rate: float) -> Window:
        """A rate below 1/s becomes one send per a longer window (0.5/s: 1 per 2 s)."""
        seconds = max(1.0, 1.0 / rate)
        return cls(SECOND_KEY, timedelta(seconds=seconds), max(1, round(rate * seconds)))

    @classmethod
    def per_hour(cls, limit: int) -> Window:
        return cls(HOUR_KEY, timedelta(hours=1), limit)

    def closes(self, now: datetime) -> datetime:
        span = self.span.total_seconds()
        epoch = now.timestamp()
        return now + timedelta(seconds=span - epoch % span)


@dataclass
class SharedRate:
    """`wait()` before each send: returns when this worker may send one more message within
    every window's limit across all workers; raises Throttled when that is further away than
    LONGEST_WAIT. A database that is away grants what is asked (the local pacing still holds):
    the send's record will meet the same trouble and be handled there."""

    take: Take
    windows: tuple[Window, ...]
    clock: Callable[[], datetime]
    pacer: Pacer
    sleep: Callable[[float], None] = time.sleep
    transient: Callable[[BaseException], bool] = store.transient
    _tokens: int = field(default=0, init=False)
    _spend_by: datetime | None = field(default=None, init=False)  # tokens belong to a window

    @classmethod
    def of(
        cls, take: Take, *, per_second: float, per_hour: int, clock: Callable[[], datetime]
    ) -> SharedRate:
        windows: tuple[Window, ...] = (Window.per_second(per_second),)
        if per_hour:
            windows += (Window.per_hour(per_hour),)
        return cls(take=take, windows=windows, clock=clock, pacer=Pacer(per_second))

    def wait(self) -> None:
        self.pacer.wait()
        if self._spend_by is not None and self.clock() >= self._spend_by:
            self._tokens = 0  # taken in a window that has closed: spending them now would
            # count them in the next one, past its limit
        while self._tokens == 0:
            now = self.clock()
            granted, closes = self._reserve(now)
            if granted:
                self._tokens, self._spend_by = granted, self.windows[0].closes(now)
                break
            pause = (closes - now).total_seconds()
            if pause > LONGEST_WAIT:
                raise Throttled(closes)
            self.sleep(max(pause, 0.001))
        self._tokens -= 1

    def _reserve(self, now: datetime) -> tuple[int, datetime]:
        """Take a chunk from each window in turn (each at most what the one before gave)."""
        wanted = max(1, math.ceil(self.windows[0].limit / 4))
        for window in self.windows:
            try:
                wanted = self.take(
                    window.key, wanted, now=now, window=window.span, limit=window.limit
                )
            except Exception as exc:
                if not self.transient(exc):
                    raise
                continue  # the database is away: pace locally, the record will tell
            if wanted == 0:
                return 0, window.closes(now)
        return wanted, now
