"""SIGTERM from the first instant of a `drip` process, before its imports.

systemd may stop a unit a moment after starting it. The console script (`drip._entry`) hears
SIGTERM before it imports the CLI (click, the settings: ~0.1 s in which Python's default would
kill the process with -15) and keeps it here. A command that stops gracefully takes what was
heard once its own handler is in place (`take_early`: `drip run` then stops cleanly, exit 0);
every other command gets Python's default back, and a SIGTERM heard meanwhile ends it as the
default would have (`default_now`).
"""

from __future__ import annotations

import signal
from types import FrameType

_heard: list[int] = []


def _hear(signum: int, _frame: FrameType | None) -> None:
    _heard.append(signum)


def hear_early() -> None:
    """Keep a SIGTERM for later instead of dying of it (the console script's first step)."""
    signal.signal(signal.SIGTERM, _hear)


def take_early() -> list[int]:
    """The signals heard before the caller's handler was installed (once each)."""
    heard = list(_heard)
    _heard.clear()
    return heard


def default_now() -> None:
    """Python's default for SIGTERM again; one heard early ends the process as it would have."""
    if signal.getsignal(signal.SIGTERM) is _hear:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for signum in take_early():
            signal.raise_signal(signum)
