"""tests/smtp_sink.py's SmtpSink in a process of its own, for the in-process dispatcher runs.

In the same process its asyncio thread would compete with the dispatcher for the GIL and
inflate the "smtp" share. Prints the port; answers `count` on stdin; stops at end of input.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from smtp_sink import SmtpSink


def main() -> None:
    with SmtpSink() as sink:
        print(sink.port, flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(len(sink.messages), flush=True)


if __name__ == "__main__":
    main()
