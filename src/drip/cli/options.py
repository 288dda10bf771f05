"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click

from drip import clock


def _instant(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return clock.parse_instant(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: {exc} (use e.g. 2026-12-03T09:30:00Z)") from None


def now(command: Callable[..., None]) -> Callable[..., None]:
    """`--now`: act as if it were that instant (drills and tests); default: the real clock."""
    return click.option(
        "--now",
        "at",
        callback=_instant,
        help="act as if it were this instant (ISO 8601, e.g. 2026-12-03T09:30:00Z)",
    )(command)


def start(command: Callable[..., None]) -> Callable[..., None]:
    """`--start`: when the sample patients confirm (preview, simulate)."""
    return click.option(
        "--start",
        callback=_instant,
        help="when the sample patients confirm (ISO 8601, e.g. 2026-12-07T15:00:00Z); "
        "default: the next full hour",
    )(command)
