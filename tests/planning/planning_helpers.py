"""Small builders for planning tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from drip import sequences

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))


def window(start: str, end: str, days: frozenset[int] = EVERY_DAY) -> sequences.SendWindow:
    return sequences.SendWindow(
        days=days, start=time.fromisoformat(start), end=time.fromisoformat(end)
    )


def step(step_id: str, after: timedelta = timedelta(0), subject: str = "s") -> sequences.Step:
    return sequences.Step(
        id=step_id,
        after=after,
        template="tip.mjml.j2",
        subject=subject,
        preheader="p",
        content=(f"back-spasms/{step_id}",),
    )


def sequence(*steps: sequences.Step) -> sequences.Sequence:
    return sequences.Sequence(cause="muscle-injury", steps=tuple(steps))


def local(tz: ZoneInfo, text: str, fold: int = 0) -> datetime:
    """An aware UTC instant from a local wall time in `tz` ("2026-03-08 02:30")."""
    return datetime.fromisoformat(text).replace(tzinfo=tz, fold=fold).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
