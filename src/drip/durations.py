"""Step delays as the marketer writes them: `90m`, `36h`, `3d`, `2w`, or combined `1d12h`.

Units go from the largest to the smallest, each at most once: weeks (w), days (d), hours (h),
minutes (m). A bare `0` means no delay. Negative delays and other units are refused.
"""

from __future__ import annotations

import re
from datetime import timedelta

EXAMPLES = "use e.g. 3d, 36h, 90m"

_PATTERN = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_UNITS = (("w", timedelta(weeks=1)), ("d", timedelta(days=1)), ("h", timedelta(hours=1)))


def parse_duration(text: str) -> timedelta:
    """`"1d12h"` → `timedelta(days=1, hours=12)`; raises ValueError for anything else."""
    stripped = text.strip()
    if stripped == "0":
        return timedelta(0)
    match = _PATTERN.fullmatch(stripped)
    if not stripped or match is None:
        raise ValueError(f"{text!r} is not a duration ({EXAMPLES})")
    weeks, days, hours, minutes = (int(group or 0) for group in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def format_duration(delay: timedelta) -> str:
    """The shortest text `parse_duration` reads back as `delay` (whole minutes): `1d12h`, `0m`."""
    if delay < timedelta(0) or delay % timedelta(minutes=1):
        raise ValueError(f"{delay} is not a whole, non-negative number of minutes")
    parts: list[str] = []
    rest = delay
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    minutes = rest // timedelta(minutes=1)
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return "".join(parts)
