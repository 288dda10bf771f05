"""The send rate every worker shares: counted in the database, waited out in short steps, and
a spent hour handed back to the scheduler instead of held inside a batch."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from drip.service import pacing

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Clock:
    """A simulated clock that both the rate's wall time and its sleeps move."""

    def __init__(self) -> None:
        self.now = T0
        self.monotonic = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.monotonic += seconds


def shared(store, clock: Clock, *, per_second: float, per_hour: int = 0) -> pacing.SharedRate:
    rate = pacing.SharedRate.of(
        store.take, per_second=per_second, per_hour=per_hour, clock=lambda: clock.now
    )
    rate.sleep = clock.sleep
    rate.pacer.sleep, rate.pacer.monotonic = clock.sleep, lambda: clock.monotonic
    return rate


def test_two_workers_send_at_the_shared_rate_not_twice_it(store) -> None:
    clock = Clock()
    workers = [shared(store, clock, per_second=10), shared(store, clock, per_second=10)]
    sent_in: Counter[int] = Counter()
    for n in range(200):  # the two take turns, as two processes would
        workers[n % 2].wait()
        sent_in[int((clock.now - T0).total_seconds())] += 1
    assert max(sent_in.values()) <= 10
    assert sum(sent_in.values()) == 200
    assert len(sent_in) >= 20  # 200 at 10/s together: 20 seconds at least, not 10


def test_a_spent_hour_is_not_waited_out_inside_a_batch(store) -> None:
    clock = Clock()
    rate = shared(store, clock, per_second=100, per_hour=30)
    for _ in range(30):
        rate.wait()
    with pytest.raises(pacing.Throttled) as throttled:
        rate.wait()
    assert throttled.value.until == T0 + timedelta(hours=1)  # the next hour's window
    assert clock.now < T0 + timedelta(seconds=pacing.LONGEST_WAIT + 1)


def test_a_rate_below_one_a_second_is_one_per_longer_window() -> None:
    window = pacing.Window.per_second(0.5)
    assert (window.span, window.limit) == (timedelta(seconds=2), 1)
    assert pacing.Window.per_second(12.5).limit == 12


def test_a_database_that_is_away_leaves_the_local_pacing_in_charge() -> None:
    clock = Clock()

    def away(*_args: object, **_kwargs: object) -> int:
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    rate = pacing.SharedRate.of(away, per_second=5, per_hour=0, clock=lambda: clock.now)
    rate.pacer.sleep, rate.pacer.monotonic = clock.sleep, lambda: clock.monotonic
    for _ in range(10):
        rate.wait()
    assert clock.monotonic == pytest.approx(9 / 5)  # evenly spaced at 5/s all the same
