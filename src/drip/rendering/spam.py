"""How SpamAssassin's local tests score composed messages: `drip check --deliverability`.

    scores = spam.score([message, …])    # one Score per message, in order
    scores[0].points, scores[0].rules     # 0.0, (("HTML_MESSAGE", 0.001), …)

Runs Debian's `spamassassin` once for all the messages (an mbox), with local tests only (`-L`:
no network, no DNS lists) and no user preferences written (`-x`). The score is the sum of the
rules that fired, to the thousandth, not the header's rounded one.
"""

from __future__ import annotations

import mailbox
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from drip import errors

COMMAND = "spamassassin"
TIMEOUT = 300  # seconds, for every message together
_TESTS = "DripTests"  # SpamAssassin adds it as X-Spam-DripTests: RULE=points,…
_ID = "X-Drip-Spam-Id"
_RULE = re.compile(r"([A-Z0-9_]+)=(-?\d+(?:\.\d+)?)")
MISSING = (
    "spamassassin is not installed: install Debian's (apt-get install spamassassin) to score "
    "the emails, or leave out --deliverability"
)


@dataclass(frozen=True, kw_only=True)
class Score:
    points: float
    rules: tuple[tuple[str, float], ...]  # (rule, points), the highest first

    def fired(self) -> str:
        """`HTML_FONT_LOW_CONTRAST 0.713, HTML_MESSAGE 0.001` (rules with points only)."""
        shown = [f"{rule} {points:g}" for rule, points in self.rules if points]
        return ", ".join(shown) or "no rule with points"


def available() -> bool:
    return shutil.which(COMMAND) is not None


def score(messages: Sequence[EmailMessage]) -> list[Score]:
    """One score per message, in order. Raises ConfigError when spamassassin is missing."""
    if not messages:
        return []
    if not available():
        raise errors.ConfigError(MISSING)
    with tempfile.TemporaryDirectory(prefix="drip-spam-") as tmp:
        box_path = Path(tmp) / "messages.mbox"
        box = mailbox.mbox(box_path)
        for number, message in enumerate(messages):
            box.add(_tagged(message, number))
        box.flush()
        box.close()
        output = _run(box_path)
    return _parse(output, len(messages))


def _tagged(message: EmailMessage, number: int) -> bytes:
    """The message as bytes, with a header saying which it is (the output keeps the order, but
    the number makes sure)."""
    return f"{_ID}: {number}\r\n".encode() + message.as_bytes()


def _run(box: Path) -> str:
    command = [
        COMMAND, "-L", "-x", "--mbox",
        "--cf", f"add_header all {_TESTS} _TESTSSCORES(,)_",
        str(box),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode not in (0, 1):
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise errors.ConfigError(f"spamassassin failed (exit {done.returncode}): {reason[0]}")
    return done.stdout.decode(errors="replace")


def _parse(output: str, count: int) -> list[Score]:
    found: dict[int, Score] = {}
    for chunk in re.split(r"(?m)^From ", output):
        number = re.search(rf"(?m)^{_ID}: (\d+)", chunk)
        tests = re.search(rf"(?m)^X-Spam-{_TESTS}: (.*(?:\n[ \t].*)*)", chunk)
        if number is None or tests is None:
            continue
        rules = sorted(
            ((rule, float(points)) for rule, points in _RULE.findall(tests.group(1))),
            key=lambda r: -r[1],
        )
        total = round(sum(points for _, points in rules), 3)
        found[int(number.group(1))] = Score(points=total, rules=tuple(rules))
    if len(found) != count:
        raise errors.ConfigError(
            f"spamassassin scored {len(found)} of {count} messages: run it by hand on one "
            "(drip render … --out out/, then spamassassin -L -t < out/….eml) to see why"
        )
    return [found[n] for n in range(count)]
