"""next_step, plan and describe_edit: the rules for edited sequences."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from planning_helpers import NEW_YORK, local, sequence, step, utc, window

from drip import planning, sequences

DAYTIME = window("08:00", "20:00")
D = timedelta(days=1)
ENROLLED = local(NEW_YORK, "2026-01-05 10:00")  # a Monday
ORIGINAL = sequence(
    step("welcome"), step("heat", 2 * D), step("stretch", 3 * D), step("closing", D)
)


def _next(seq=ORIGINAL, sent=(), last=None):
    return planning.next_step(
        sequence=seq,
        sent=frozenset(sent),
        last_sent_at=last,
        enrolled_at=ENROLLED,
        tz=NEW_YORK,
        window=DAYTIME,
    )


def test_first_step_counts_from_enrollment() -> None:
    assert _next() == planning.Planned(step_id="welcome", due_at=ENROLLED)


def test_first_step_waits_for_the_window() -> None:
    late = local(NEW_YORK, "2026-01-05 22:30")
    planned = planning.next_step(
        sequence=ORIGINAL,
        sent=frozenset(),
        last_sent_at=None,
        enrolled_at=late,
        tz=NEW_YORK,
        window=DAYTIME,
    )
    assert planned == planning.Planned(step_id="welcome", due_at=utc("2026-01-06 13:00"))


def test_delay_counts_from_the_previous_send() -> None:
    sent_at = local(NEW_YORK, "2026-01-05 10:07")
    assert _next(sent={"welcome"}, last=sent_at) == planning.Planned(
        step_id="heat", due_at=local(NEW_YORK, "2026-01-07 10:07")
    )


def test_all_sent_ends_the_enrollment() -> None:
    assert _next(sent={"welcome", "heat", "stretch", "closing"}, last=ENROLLED) is None


def test_a_step_added_before_the_position_is_sent_next() -> None:
    edited = sequence(step("welcome"), step("posture", D), step("heat", 2 * D), step("stretch"))
    planned = _next(edited, sent={"welcome", "heat"}, last=ENROLLED)
    assert planned is not None and planned.step_id == "posture"


def test_a_removed_step_is_never_sent() -> None:
    edited = sequence(step("welcome"), step("heat", 2 * D), step("closing", D))
    planned = _next(edited, sent={"welcome"}, last=ENROLLED)
    assert planned is not None and planned.step_id == "heat"
    assert _next(edited, sent={"welcome", "heat"}, last=ENROLLED) == planning.Planned(
        step_id="closing", due_at=ENROLLED + D
    )


def test_reordering_sends_the_rest_in_the_new_order() -> None:
    edited = sequence(step("welcome"), step("closing", D), step("stretch", D), step("heat", D))
    order = []
    sent: set[str] = set()
    while (planned := _next(edited, sent=sent, last=ENROLLED)) is not None:
        order.append(planned.step_id)
        sent.add(planned.step_id)
    assert order == ["welcome", "closing", "stretch", "heat"]


def test_steps_already_sent_are_never_planned_even_when_moved_first() -> None:
    edited = sequence(step("stretch"), step("welcome"), step("heat", 2 * D))
    planned = _next(edited, sent={"welcome", "stretch"}, last=ENROLLED)
    assert planned is not None and planned.step_id == "heat"


def test_plan_gives_nothing_to_an_inactive_subscriber() -> None:
    common = {
        "sequence": ORIGINAL,
        "sent": frozenset[str](),
        "last_sent_at": None,
        "enrolled_at": ENROLLED,
        "tz": NEW_YORK,
        "window": DAYTIME,
    }
    assert planning.plan(**common, subscriber_active=False) is None  # type: ignore[arg-type]
    assert planning.plan(**common, subscriber_active=True) == _next()  # type: ignore[arg-type]


def test_describe_edit_lists_every_kind_of_change() -> None:
    new = sequence(
        step("welcome"),
        step("posture", D),
        step("stretch", 3 * D, subject="New subject"),
        step("heat", 3 * D),
    )
    assert planning.describe_edit(ORIGINAL, new) == [
        "added step posture",
        "removed step closing",
        "moved step heat",
        "changed content of step stretch",
        "delay of heat changed 2d → 3d",
    ]


def test_describe_edit_of_an_unchanged_sequence_is_empty() -> None:
    assert planning.describe_edit(ORIGINAL, ORIGINAL) == []


def test_first_step_at_once_ignores_the_window_only_for_the_first_step() -> None:
    window = sequences.SendWindow(
        days=frozenset(range(5)), start=time(9), end=time(18), first_step_at_once=True
    )
    steps = (
        sequences.Step(
            id="welcome", after=timedelta(0), template="t", subject="s", preheader="", content=()
        ),
        sequences.Step(
            id="tip", after=timedelta(hours=1), template="t", subject="s", preheader="", content=()
        ),
    )
    sequence = sequences.Sequence(cause="c", steps=steps)
    saturday_night = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    tz = ZoneInfo("Europe/London")
    first = planning.next_step(
        sequence=sequence,
        sent=frozenset(),
        last_sent_at=None,
        enrolled_at=saturday_night,
        tz=tz,
        window=window,
    )
    assert first == planning.Planned(step_id="welcome", due_at=saturday_night)
    second = planning.next_step(
        sequence=sequence,
        sent=frozenset({"welcome"}),
        last_sent_at=saturday_night,
        enrolled_at=saturday_night,
        tz=tz,
        window=window,
    )
    assert second == planning.Planned(step_id="tip", due_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
