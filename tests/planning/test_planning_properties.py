"""Property tests for the planner's invariants (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from planning_helpers import sequence, step

from drip import planning, sequences

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/Santiago",  # changes at midnight
    "Asia/Kolkata",
    "Pacific/Chatham",
]

zones = st.sampled_from(ZONES).map(ZoneInfo)
# DST changes of 2026 (UTC, roughly for the southern zones): instants near them are drawn often
TRANSITIONS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York, spring
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York, autumn
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # London, spring
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # London, autumn
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe, Santiago, Chatham: April
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago, September
    datetime(2026, 10, 3, 15, tzinfo=UTC),  # Lord Howe, October
]
anywhere = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
near_a_change = st.builds(
    lambda at, minutes, seconds: at + timedelta(minutes=minutes, seconds=seconds),
    st.sampled_from(TRANSITIONS),
    st.integers(-3 * 24 * 60, 3 * 24 * 60),
    st.sampled_from([0, 0, 0, 1, 59]),
)
instants = st.one_of(anywhere, near_a_change)
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def windows(draw: st.DrawFn) -> sequences.SendWindow:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    a, b = draw(st.tuples(minutes_of_day, minutes_of_day).filter(lambda p: p[0] != p[1]))
    start, end = sorted((a, b))
    return sequences.SendWindow(
        days=days, start=time(start // 60, start % 60), end=time(end // 60, end % 60)
    )


delays = st.integers(min_value=0, max_value=21 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def step_lists(draw: st.DrawFn) -> sequences.Sequence:
    ids = draw(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=8, unique=True))
    return sequence(*(step(i, draw(delays)) for i in ids))


def _inside(instant: datetime, tz: ZoneInfo, window: sequences.SendWindow) -> bool:
    wall = instant.astimezone(tz)
    return wall.weekday() in window.days and window.start <= wall.time() < window.end


@settings(max_examples=300, deadline=None)
@given(moment=instants, tz=zones, window=windows())
def test_into_window_is_inside_and_not_earlier(
    moment: datetime, tz: ZoneInfo, window: sequences.SendWindow
) -> None:
    due = planning.into_window(moment, tz=tz, window=window)
    assert due >= moment
    assert _inside(due, tz, window)
    assert due.utcoffset() == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(moment=instants, tz=zones, window=windows(), back=st.integers(1, 7 * 24 * 60))
def test_into_window_is_the_earliest_inside_instant_at_minute_resolution(
    moment: datetime, tz: ZoneInfo, window: sequences.SendWindow, back: int
) -> None:
    due = planning.into_window(moment, tz=tz, window=window)
    # no whole minute strictly between moment and due (sampled) lies inside the window
    probe = due - timedelta(minutes=back % 240 + 1)
    probe = probe.replace(second=0, microsecond=0)
    if probe > moment:
        assert not _inside(probe, tz, window)


def _simulate(
    seq: sequences.Sequence,
    *,
    enrolled_at: datetime,
    tz: ZoneInfo,
    window: sequences.SendWindow,
    sent: list[str] | None = None,
    last: datetime | None = None,
) -> tuple[list[str], list[datetime]]:
    """Send every planned step at its due time until the planner says the enrollment ends."""
    order, dues = list(sent or []), list[datetime]()
    for _ in range(len(seq.steps) + 1):
        planned = planning.next_step(
            sequence=seq,
            sent=frozenset(order),
            last_sent_at=last,
            enrolled_at=enrolled_at,
            tz=tz,
            window=window,
        )
        if planned is None:
            return order, dues
        order.append(planned.step_id)
        dues.append(planned.due_at)
        last = planned.due_at
    raise AssertionError(f"the enrollment did not end after {len(seq.steps)} sends: {order}")


@settings(max_examples=150, deadline=None)
@given(seq=step_lists(), enrolled_at=instants, tz=zones, window=windows())
def test_every_step_sent_once_in_order_with_due_times_never_going_back(
    seq: sequences.Sequence, enrolled_at: datetime, tz: ZoneInfo, window: sequences.SendWindow
) -> None:
    order, dues = _simulate(seq, enrolled_at=enrolled_at, tz=tz, window=window)
    assert order == [s.id for s in seq.steps]  # exactly len(steps) sends, no repeats
    assert dues == sorted(dues)
    assert dues[0] >= enrolled_at
    assert all(_inside(d, tz, window) for d in dues)
    for previous, current, s in zip(dues, dues[1:], seq.steps[1:], strict=False):
        assert current - previous >= s.after - timedelta(hours=3)  # calendar days vs DST


@settings(max_examples=150, deadline=None)
@given(
    seq=step_lists(),
    data=st.data(),
    enrolled_at=instants,
    tz=zones,
    window=windows(),
)
def test_editing_mid_sequence_never_resends_and_never_skips_silently(
    seq: sequences.Sequence,
    data: st.DataObject,
    enrolled_at: datetime,
    tz: ZoneInfo,
    window: sequences.SendWindow,
) -> None:
    ids = [s.id for s in seq.steps]
    already = ids[: data.draw(st.integers(0, len(ids)), label="sent before the edit")]
    kept = data.draw(st.permutations(ids), label="new order")
    kept = [i for i in kept if data.draw(st.booleans(), label=f"keep {i}")]
    added = [i for i in "klmnop" if data.draw(st.booleans(), label=f"add {i}")]
    new_ids = data.draw(st.permutations(kept + added), label="final order")
    edited = sequence(*(step(i, timedelta(hours=1)) for i in new_ids))
    last = enrolled_at if already else None
    order, _ = _simulate(
        edited, enrolled_at=enrolled_at, tz=tz, window=window, sent=already, last=last
    )
    after_edit = order[len(already) :]
    assert len(order) == len(set(order))  # nothing twice
    assert after_edit == [i for i in new_ids if i not in already]  # the rest, in the new order


@settings(max_examples=100, deadline=None)
@given(seq=step_lists(), data=st.data(), enrolled_at=instants, tz=zones, window=windows())
def test_inactive_subscribers_get_nothing(
    seq: sequences.Sequence,
    data: st.DataObject,
    enrolled_at: datetime,
    tz: ZoneInfo,
    window: sequences.SendWindow,
) -> None:
    sent = data.draw(st.frozensets(st.sampled_from([s.id for s in seq.steps])))
    planned = planning.plan(
        sequence=seq,
        sent=sent,
        last_sent_at=enrolled_at if sent else None,
        enrolled_at=enrolled_at,
        tz=tz,
        window=window,
        subscriber_active=False,
    )
    assert planned is None


@settings(max_examples=200, deadline=None)
@given(since=instants, delay=delays, tz=zones)
def test_delays_never_go_backwards(since: datetime, delay: timedelta, tz: ZoneInfo) -> None:
    due = planning.add_delay(since, delay, tz=tz)
    assert due >= since
    assert abs((due - since) - delay) <= timedelta(hours=3)  # at most the DST shifts crossed
