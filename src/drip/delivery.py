"""What a mail server's answer means for a delivery: the rules table, and retry backoff.

The table is checked top to bottom; the first matching row decides. A pattern is one of:
`no reply` (the connection failed or timed out: no SMTP code), a basic code class (`4xx`,
`5xx`), an exact basic code (`535`), an enhanced status code (RFC 3463) with `x` as a
wildcard (`5.1.x`), or `any other code`. `delivery.table_text()` prints it for the docs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from drip import errors

# Sends tried for one delivery; after that a RETRY becomes FAIL. With the backoff capped at 6 h,
# 20 attempts span about three days: a relay outage over a weekend loses nothing.
MAX_ATTEMPTS = 20


class Outcome(StrEnum):
    """How a delivery ends (or continues) after one attempt."""

    SENT = "sent"  # the server accepted the message
    RETRY = "retry"  # temporary: try again after `backoff`
    SUPPRESS = "suppress"  # the address does not exist: never mail it again
    PAUSE = "pause"  # we are blocked (policy, auth, spam): stop sending and alert a human
    FAIL = "fail"  # this message cannot be delivered; the address stays valid


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One row of the rules table."""

    pattern: str
    outcome: Outcome
    why: str

    def matches(self, error: errors.SendError) -> bool:
        if self.pattern == "no reply":
            return error.code is None
        if self.pattern == "any other code":
            return True
        if error.code is None:
            return False
        if "." in self.pattern:
            return _enhanced_matches(self.pattern, error.enhanced)
        if self.pattern.endswith("xx"):
            return str(error.code)[:1] == self.pattern[0]
        return str(error.code) == self.pattern


RULES: tuple[Rule, ...] = (
    Rule(
        pattern="no reply",
        outcome=Outcome.RETRY,
        why="connection refused, dropped or timed out: the server may be back soon",
    ),
    Rule(pattern="4xx", outcome=Outcome.RETRY, why="the server asks to try again later"),
    Rule(
        pattern="5.1.7",
        outcome=Outcome.PAUSE,
        why="our sender address is refused: fix the From address; the recipient is fine",
    ),
    Rule(
        pattern="5.1.8",
        outcome=Outcome.PAUSE,
        why="our sender's domain is refused: fix the From domain; the recipient is fine",
    ),
    Rule(
        pattern="5.1.x",
        outcome=Outcome.SUPPRESS,
        why="the mailbox or its domain does not exist: mailing it again hurts our reputation",
    ),
    Rule(
        pattern="5.7.x",
        outcome=Outcome.PAUSE,
        why="blocked by policy, authentication or spam filtering: every send would fail too",
    ),
    Rule(
        pattern="530",
        outcome=Outcome.PAUSE,
        why="the server requires authentication or TLS: a configuration problem",
    ),
    Rule(pattern="535", outcome=Outcome.PAUSE, why="our SMTP credentials are refused"),
    Rule(
        pattern="5xx",
        outcome=Outcome.FAIL,
        why="permanent failure for this message (too big, mailbox full, …); keep the address",
    ),
    Rule(pattern="any other code", outcome=Outcome.FAIL, why="an answer SMTP does not define"),
)


def rule_for(error: errors.SendError) -> Rule:
    """The first row of `RULES` that matches `error`."""
    return next((r for r in RULES if r.matches(error)), RULES[-1])


def classify(error: errors.SendError) -> Outcome:
    """What to do with a delivery whose send raised `error` (see `RULES`)."""
    return rule_for(error).outcome


def decide(error: errors.SendError, *, attempts: int) -> Outcome:
    """`classify`, except that a RETRY becomes FAIL once `attempts` reaches MAX_ATTEMPTS.

    `attempts` counts the sends tried so far for this delivery, including the one that failed.
    """
    outcome = classify(error)
    if outcome is Outcome.RETRY and attempts >= MAX_ATTEMPTS:
        return Outcome.FAIL
    return outcome


def backoff(
    attempts: int,
    *,
    base: timedelta = timedelta(minutes=1),
    cap: timedelta = timedelta(hours=6),
    key: str | None = None,
) -> timedelta:
    """How long to wait before the next try, after `attempts` (>= 1) failed tries.

    Exponential and deterministic: base, 2×base, 4×base, … never more than `cap`. With a
    `key` (e.g. the delivery id), up to a quarter is taken off, the same for the same key and
    attempt, so that deliveries that failed together do not all retry in the same second.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be 1 or more, not {attempts}")
    base_us = _microseconds(base)
    # compare as integers: 2 ** attempts overflows timedelta long before it overflows an int
    wait_us = min(base_us * 2 ** min(attempts - 1, 64), _microseconds(cap))
    if key is not None:
        digest = hashlib.sha256(f"{key}:{attempts}".encode()).digest()
        fraction = int.from_bytes(digest[:8], "big") / 2**64  # in [0, 1)
        wait_us -= int(wait_us * fraction / 4)
    return timedelta(microseconds=wait_us)


def table_text() -> str:
    """The rules table as aligned plain text, for docs and `drip` help."""
    width = max(len(r.pattern) for r in RULES)
    return "\n".join(f"{r.pattern:<{width}}  {r.outcome.value:<8}  {r.why}" for r in RULES)


def _enhanced_matches(pattern: str, enhanced: str | None) -> bool:
    if enhanced is None:
        return False
    want, got = pattern.split("."), enhanced.split(".")
    return len(got) == 3 and all(w in ("x", g) for w, g in zip(want, got, strict=True))


def _microseconds(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
