"""into_window and delays: the send window in local wall time, across DST changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from planning_helpers import LONDON, NEW_YORK, WEEKDAYS, local, utc, window

from drip import errors, planning

OFFICE = window("09:00", "18:00", WEEKDAYS)


def test_inside_the_window_is_unchanged() -> None:
    moment = local(NEW_YORK, "2026-01-07 11:15:42")  # a Wednesday
    assert planning.into_window(moment, tz=NEW_YORK, window=OFFICE) == moment


def test_before_the_start_waits_for_the_start_same_day() -> None:
    moment = local(NEW_YORK, "2026-01-07 06:00")
    assert planning.into_window(moment, tz=NEW_YORK, window=OFFICE) == utc("2026-01-07 14:00")


def test_the_end_is_exclusive() -> None:
    moment = local(NEW_YORK, "2026-01-07 18:00")
    assert planning.into_window(moment, tz=NEW_YORK, window=OFFICE) == utc("2026-01-08 14:00")


def test_friday_1759_plus_two_minutes_is_monday_0900() -> None:
    friday = local(NEW_YORK, "2026-01-09 17:59")
    due = planning.into_window(friday + timedelta(minutes=2), tz=NEW_YORK, window=OFFICE)
    assert due == utc("2026-01-12 14:00")  # Monday 09:00 EST


def test_friday_to_monday_across_the_spring_change_keeps_0900_local() -> None:
    friday = local(NEW_YORK, "2026-03-06 17:59")
    due = planning.into_window(friday + timedelta(minutes=2), tz=NEW_YORK, window=OFFICE)
    assert due == utc("2026-03-09 13:00")  # Monday 09:00 EDT, after Sunday's change


def test_result_is_utc_even_for_an_input_in_another_zone() -> None:
    moment = local(NEW_YORK, "2026-01-07 06:00").astimezone(LONDON)
    due = planning.into_window(moment, tz=NEW_YORK, window=OFFICE)
    assert (due, due.utcoffset()) == (utc("2026-01-07 14:00"), timedelta(0))


def test_naive_moment_is_refused() -> None:
    with pytest.raises(errors.InvalidInput, match="no time zone"):
        planning.into_window(
            utc("2026-01-07 06:00").replace(tzinfo=None), tz=NEW_YORK, window=OFFICE
        )


def test_a_window_with_no_days_never_opens() -> None:
    with pytest.raises(errors.InvalidInput, match="never opens"):
        planning.into_window(
            utc("2026-01-07 06:00"), tz=NEW_YORK, window=window("09:00", "10:00", frozenset())
        )


# --- New York, 2026-03-08: 02:00 EST → 03:00 EDT ----------------------------------------------


def test_new_york_start_in_the_gap_opens_when_the_gap_ends() -> None:
    nightly = window("02:30", "03:30")
    due = planning.into_window(local(NEW_YORK, "2026-03-08 00:00"), tz=NEW_YORK, window=nightly)
    assert due == utc("2026-03-08 07:00")  # 03:00 EDT, the first instant after the gap
    assert due.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"


def test_new_york_window_entirely_in_the_gap_is_empty_that_day() -> None:
    lost = window("02:00", "02:45")
    due = planning.into_window(local(NEW_YORK, "2026-03-08 00:00"), tz=NEW_YORK, window=lost)
    assert due == utc("2026-03-09 06:00")  # Monday 02:00 EDT


def test_new_york_window_across_the_gap_continues_after_it() -> None:
    night = window("01:00", "04:00")
    moment = local(NEW_YORK, "2026-03-08 01:59:59") + timedelta(seconds=1)  # = 03:00 EDT
    assert planning.into_window(moment, tz=NEW_YORK, window=night) == utc("2026-03-08 07:00")


# --- New York, 2026-11-01: 02:00 EDT → 01:00 EST ----------------------------------------------


def test_new_york_ambiguous_start_takes_the_first_occurrence() -> None:
    night = window("01:30", "03:00")
    due = planning.into_window(local(NEW_YORK, "2026-11-01 00:00"), tz=NEW_YORK, window=night)
    assert due == utc("2026-11-01 05:30")  # 01:30 EDT, not 01:30 EST (06:30 UTC)


def test_new_york_second_pass_before_the_start_waits_for_the_start_again() -> None:
    night = window("01:30", "03:00")
    second_pass = local(NEW_YORK, "2026-11-01 01:10", fold=1)  # 01:10 EST = 06:10 UTC
    due = planning.into_window(second_pass, tz=NEW_YORK, window=night)
    assert due == utc("2026-11-01 06:30")  # 01:30 EST: wall time says 01:10 is outside


def test_new_york_wall_time_jumping_back_into_the_window_opens_it() -> None:
    early = window("00:30", "01:30")
    after_first_pass = local(NEW_YORK, "2026-11-01 01:45")  # 01:45 EDT = 05:45 UTC
    due = planning.into_window(after_first_pass, tz=NEW_YORK, window=early)
    assert due == utc("2026-11-01 06:00")  # 01:00 EST: the clock went back inside the window


# --- London, 2026-03-29: 01:00 GMT → 02:00 BST; 2026-10-25: 02:00 BST → 01:00 GMT -----------


def test_london_start_in_the_spring_gap() -> None:
    night = window("01:15", "04:00")
    due = planning.into_window(local(LONDON, "2026-03-29 00:00"), tz=LONDON, window=night)
    assert due == utc("2026-03-29 01:00")  # 02:00 BST


def test_london_window_lost_in_the_spring_gap() -> None:
    lost = window("01:15", "01:45")
    due = planning.into_window(local(LONDON, "2026-03-29 00:00"), tz=LONDON, window=lost)
    assert due == utc("2026-03-30 00:15")  # Monday 01:15 BST


def test_london_ambiguous_start_in_the_autumn_overlap() -> None:
    night = window("01:00", "01:30")
    due = planning.into_window(local(LONDON, "2026-10-25 00:30"), tz=LONDON, window=night)
    assert due == utc("2026-10-25 00:00")  # 01:00 BST, the first of the two 01:00s


# --- delays ------------------------------------------------------------------------------------


def test_a_day_across_spring_forward_keeps_the_wall_time() -> None:
    saturday = local(NEW_YORK, "2026-03-07 10:00")  # EST
    assert planning.add_delay(saturday, timedelta(days=1), tz=NEW_YORK) == utc("2026-03-08 14:00")


def test_a_day_across_fall_back_keeps_the_wall_time() -> None:
    saturday = local(LONDON, "2026-10-24 10:00")  # BST
    assert planning.add_delay(saturday, timedelta(days=1), tz=LONDON) == utc("2026-10-25 10:00")


def test_a_day_landing_in_the_gap_moves_to_its_end() -> None:
    saturday = local(NEW_YORK, "2026-03-07 02:30")
    assert planning.add_delay(saturday, timedelta(days=1), tz=NEW_YORK) == utc("2026-03-08 07:00")


def test_a_day_and_a_half_is_a_calendar_day_then_elapsed_hours() -> None:
    saturday = local(NEW_YORK, "2026-03-07 10:00")
    due = planning.add_delay(saturday, timedelta(days=1, hours=12), tz=NEW_YORK)
    assert due == utc("2026-03-09 02:00")  # Sunday 10:00 EDT + 12 h = Sunday 22:00 EDT


def test_hours_are_elapsed_time_across_the_gap() -> None:
    before = local(NEW_YORK, "2026-03-08 01:00")
    assert planning.add_delay(before, timedelta(hours=2), tz=NEW_YORK) == utc("2026-03-08 08:00")


def test_a_delay_under_a_day_from_the_second_pass_of_an_ambiguous_hour() -> None:
    second_pass = local(NEW_YORK, "2026-11-01 01:30", fold=1)  # 01:30 EST = 06:30 UTC
    assert planning.add_delay(second_pass, timedelta(0), tz=NEW_YORK) == utc("2026-11-01 06:30")
    assert planning.add_delay(second_pass, timedelta(minutes=30), tz=NEW_YORK) == utc(
        "2026-11-01 07:00"
    )


# The stale-step guard: where a long-overdue step goes (spread_into_next_window).

UIDS = [f"{n:032x}" for n in (0, 1, 2**40, 2**47 + 12345, 16**12 - 1)] + [
    "9f86d081884c7d659a2feaa0c55ad015",
    "a3f0c2b1e4d5968778695a4b3c2d1e0f",
]


@pytest.mark.parametrize("uid", UIDS)
def test_a_stale_step_found_at_night_lands_inside_the_next_window(uid: str) -> None:
    night = local(NEW_YORK, "2026-01-07 23:30")  # a Wednesday
    moved = planning.spread_into_next_window(night, tz=NEW_YORK, window=OFFICE, key=uid)
    assert utc("2026-01-08 14:00") <= moved < utc("2026-01-08 23:00")  # Thursday 09:00–18:00
    assert planning.into_window(moved, tz=NEW_YORK, window=OFFICE) == moved


@pytest.mark.parametrize("uid", UIDS)
def test_a_stale_step_found_in_the_window_spreads_over_the_rest_of_it(uid: str) -> None:
    morning = local(NEW_YORK, "2026-01-07 10:00")
    moved = planning.spread_into_next_window(morning, tz=NEW_YORK, window=OFFICE, key=uid)
    assert morning <= moved < utc("2026-01-07 23:00")  # today, before 18:00


def test_with_less_than_an_hour_of_the_window_left_it_waits_for_the_next_one() -> None:
    late = local(NEW_YORK, "2026-01-09 17:30")  # Friday: the next window is Monday's
    moved = planning.spread_into_next_window(late, tz=NEW_YORK, window=OFFICE, key=UIDS[3])
    assert utc("2026-01-12 14:00") <= moved < utc("2026-01-12 23:00")


def test_a_backlog_is_spread_across_the_window_not_piled_at_its_opening() -> None:
    night = local(LONDON, "2026-01-07 02:00")
    keys = [f"{n * 7919:032x}" for n in range(1, 200)]
    moved = [planning.spread_into_next_window(night, tz=LONDON, window=OFFICE, key=k) for k in keys]
    hours = {m.astimezone(LONDON).hour for m in moved}
    assert hours == set(range(9, 18))  # every hour of the window gets some of them
    same = planning.spread_into_next_window(night, tz=LONDON, window=OFFICE, key=keys[0])
    assert same == moved[0]  # the same delivery always gets the same moment


def test_the_spread_keeps_to_local_hours_across_the_spring_change() -> None:
    saturday = local(NEW_YORK, "2026-03-07 20:00")
    every_day = window("09:00", "18:00")
    for key in UIDS:
        moved = planning.spread_into_next_window(saturday, tz=NEW_YORK, window=every_day, key=key)
        wall = moved.astimezone(NEW_YORK)
        assert (wall.date().isoformat(), 9 <= wall.hour < 18) == ("2026-03-08", True)
