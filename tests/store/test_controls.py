"""The sending pause and the send budget every worker shares, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 12, 1, 10, 0, 0, 250_000, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_pause_holds_until_its_end_and_resume_lifts_it(store) -> None:
    assert store.sending_paused(now=T0) is None
    pause = store.pause_sending(until=T0 + HOUR, reason="554 5.7.1 policy", by="w1", now=T0)
    assert (pause.until, pause.reason, pause.paused_by, pause.paused_at) == (
        T0 + HOUR,
        "554 5.7.1 policy",
        "w1",
        T0,
    )
    assert store.sending_paused(now=T0 + HOUR - timedelta(seconds=1)) == pause
    assert store.sending_paused(now=T0 + HOUR) is None  # it ends by itself
    assert store.resume_sending() == pause
    assert store.resume_sending() is None
    assert store.sending_paused(now=T0) is None


def test_a_shorter_pause_does_not_cut_a_longer_one(store) -> None:
    store.pause_sending(until=T0 + 2 * HOUR, reason="drip pause", by="ops", now=T0)
    kept = store.pause_sending(until=T0 + HOUR, reason="554 5.7.1", by="w2", now=T0)
    assert (kept.until, kept.paused_by) == (T0 + 2 * HOUR, "ops")
    longer = store.pause_sending(until=T0 + 3 * HOUR, reason="554 5.7.1", by="w2", now=T0)
    assert (longer.until, longer.paused_by) == (T0 + 3 * HOUR, "w2")


def take(store, wanted: int, now: datetime, *, limit: int = 10, window=timedelta(seconds=1)) -> int:
    granted: int = store.take("send-rate:second", wanted, now=now, window=window, limit=limit)
    return granted


def test_the_budget_gives_what_is_left_of_the_window_and_renews_with_the_next(store) -> None:
    assert take(store, 4, T0) == 4
    assert take(store, 4, T0 + timedelta(milliseconds=300)) == 4
    assert take(store, 4, T0 + timedelta(milliseconds=600)) == 2  # 10 in this second
    assert take(store, 4, T0 + timedelta(milliseconds=700)) == 0
    assert take(store, 4, T0 + timedelta(milliseconds=750)) == 4  # the next second (epoch)


def test_hourly_windows_are_aligned_on_the_hour_for_every_worker(store) -> None:
    late = datetime(2026, 12, 1, 10, 59, 59, tzinfo=UTC)
    assert take(store, 3, late, limit=3, window=HOUR) == 3
    assert take(store, 1, late + timedelta(milliseconds=500), limit=3, window=HOUR) == 0
    assert take(store, 1, late + timedelta(seconds=1), limit=3, window=HOUR) == 1  # 11:00


def test_workers_taking_at_once_never_get_more_than_the_limit_together(store) -> None:
    granted: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        for _ in range(10):
            got = take(store, 3, T0, limit=50)
            with lock:
                granted.append(got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 50  # 120 asked for, 50 allowed, each one given once
