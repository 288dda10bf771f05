"""What to send next, and when: a pure function of the sequence, what was sent, and the clock.

**The rule for edited sequences** (what marketers are told; docs/live-edits.md). A
subscriber's next step is the *first step in the sequence's current order whose id they have
not been sent*, checked again when a queued step comes due (`first_unsent`). Therefore:

- a step **added** before a subscriber's position is sent to them next, in place of the step
  that was queued (which follows it): nobody in the sequence misses a new step;
- a step **removed** is never sent (to anyone who had not had it yet); the next one follows;
- **reordering** sends the remaining steps in the new order;
- a **changed delay** applies to the next step planned after the change (a queued step keeps
  the time it was given);
- a **renamed id** is a removed step and an added one: whoever had it under its old id gets it
  again (`drip check` warns; `drip plan` counts them);
- a subscriber who **finished** the sequence gets nothing more: steps added after the end are
  for those still in it;
- **nothing is ever sent twice** under one id: a step id already sent is never planned again
  (and the database refuses a second delivery of the same step id anyway).

**Delays** count from the previous send (or from the enrollment, for the first step). Whole
days in a delay are calendar days in the subscriber's time zone, so "1d" after 10:00 is 10:00
the next day even across a daylight-saving change; the rest of the delay is elapsed time.
(`24h` and `1d` are the same delay: both mean "the same time tomorrow".)

**The send window** is wall-clock time in the subscriber's zone (see `into_window`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from drip import durations, errors, sequences

_SCAN_DAYS = 15  # a window day recurs within 7 days; twice that covers a day lost to a DST gap


@dataclass(frozen=True, kw_only=True)
class Planned:
    """The next step for one enrollment and the instant (aware UTC) it becomes due."""

    step_id: str
    due_at: datetime


SPREAD_AT_LEAST = timedelta(hours=1)  # the stale-step guard spreads over no less


def into_window(moment: datetime, *, tz: ZoneInfo, window: sequences.SendWindow) -> datetime:
    """The earliest instant >= `moment` whose wall time in `tz` is inside `window` (aware UTC).

    Inside means: the local weekday is one of `window.days` and `start <= local time < end`.
    DST follows from that definition: a start time that does not exist (spring-forward gap)
    moves to the first instant after the gap; an ambiguous one (fall back) is taken at its
    first occurrence. A window entirely inside a gap is empty that day.
    """
    if moment.tzinfo is None:
        raise errors.InvalidInput(f"{moment.isoformat()} has no time zone; pass an aware UTC time")
    moment = moment.astimezone(UTC)
    if _inside(moment, tz, window):
        return moment
    # from the day before: a fall-back at midnight can put a later instant on an earlier date
    first_day = moment.astimezone(tz).date() - timedelta(days=1)
    best: datetime | None = None
    for offset in range(_SCAN_DAYS):
        day = first_day + timedelta(days=offset)
        if best is not None and day > best.astimezone(tz).date() + timedelta(days=1):
            return best  # a day's candidates lie within a few hours of it: none can be earlier
        if day.weekday() not in window.days:
            continue
        for candidate in _candidates(day, tz, window):
            if candidate > moment and _inside(candidate, tz, window):
                best = candidate if best is None else min(best, candidate)
    if best is not None:
        return best
    raise errors.InvalidInput(
        f"the send window {sorted(window.days)} {window.start}-{window.end} never opens; "
        "give it at least one day and a start before its end"
    )


def first_unsent(sequence: sequences.Sequence, done: frozenset[str]) -> sequences.Step | None:
    """The step a subscriber who was sent (or covered for) `done` gets next: the first of the
    current order not in it. The dispatcher asks again when a queued step comes due, so an
    edit made after it was queued decides."""
    return next((s for s in sequence.steps if s.id not in done), None)


def next_step(
    *,
    sequence: sequences.Sequence,
    sent: frozenset[str],
    last_sent_at: datetime | None,
    enrolled_at: datetime,
    tz: ZoneInfo,
    window: sequences.SendWindow,
) -> Planned | None:
    """The first step (in the current order) not yet sent, due after its delay; None at the end."""
    step = first_unsent(sequence, sent)
    if step is None:
        return None
    if last_sent_at is None:
        due = add_delay(enrolled_at, step.after, tz=tz)
        if not window.first_step_at_once:
            due = into_window(due, tz=tz, window=window)
        return Planned(step_id=step.id, due_at=due)
    due = into_window(add_delay(last_sent_at, step.after, tz=tz), tz=tz, window=window)
    return Planned(step_id=step.id, due_at=due)


def plan(
    *,
    sequence: sequences.Sequence,
    sent: frozenset[str],
    last_sent_at: datetime | None,
    enrolled_at: datetime,
    tz: ZoneInfo,
    window: sequences.SendWindow,
    subscriber_active: bool,
) -> Planned | None:
    """`next_step`, or None for a subscriber who is not active (paused, unsubscribed, erased)."""
    if not subscriber_active:
        return None
    return next_step(
        sequence=sequence,
        sent=sent,
        last_sent_at=last_sent_at,
        enrolled_at=enrolled_at,
        tz=tz,
        window=window,
    )


def spread_into_next_window(
    moment: datetime, *, tz: ZoneInfo, window: sequences.SendWindow, key: str
) -> datetime:
    """The stale-step guard's time for a step found long overdue at `moment`: a point spread
    by `key` (a delivery's uid) across the rest of the send window open now, when at
    least `SPREAD_AT_LEAST` of it is left, else across the next window. A backlog left by an
    outage then goes out over hours, in every patient's own hours, not in one burst."""
    start = into_window(moment, tz=tz, window=window)
    end = _resolve(start.astimezone(tz).date(), window.end, tz)
    if start == moment.astimezone(UTC) and end - start < SPREAD_AT_LEAST:
        start = into_window(end, tz=tz, window=window)  # too little left today: the next one
        end = _resolve(start.astimezone(tz).date(), window.end, tz)
    seconds = max(int((end - start).total_seconds()) - 60, 1)  # a minute's margin at the end
    offset = timedelta(seconds=int.from_bytes(hashlib.sha256(key.encode()).digest()[:8]) % seconds)
    return into_window(start + offset, tz=tz, window=window)


def add_delay(since: datetime, delay: timedelta, *, tz: ZoneInfo) -> datetime:
    """`since` + `delay`: whole days as calendar days in `tz`, the remainder as elapsed time."""
    if since.tzinfo is None:
        raise errors.InvalidInput(f"{since.isoformat()} has no time zone; pass an aware UTC time")
    if delay.days == 0:
        return since.astimezone(UTC) + delay  # no calendar day to count: elapsed time only
    days = timedelta(days=delay.days)
    wall = since.astimezone(tz).replace(tzinfo=None) + days
    return _resolve(wall.date(), wall.time(), tz) + (delay - days)


def _inside(instant: datetime, tz: ZoneInfo, window: sequences.SendWindow) -> bool:
    local = instant.astimezone(tz)
    return local.weekday() in window.days and window.start <= local.time() < window.end


def _candidates(day: date, tz: ZoneInfo, window: sequences.SendWindow) -> Iterator[datetime]:
    """Every instant of `day` where the window can open: where wall time reaches `start`
    (at either occurrence of an ambiguous time) and where DST makes wall time jump."""
    for fold in (0, 1):
        yield datetime.combine(day, window.start, tzinfo=tz).replace(fold=fold).astimezone(UTC)
    yield from _transitions(day, tz)


def _resolve(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant of a local wall time: first occurrence if ambiguous; if it falls in a gap,
    the first instant after the gap."""
    instant = datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, wall):
        return instant
    return next(t for t in _transitions(day, tz) if t.astimezone(tz).date() == day)


def _transitions(day: date, tz: ZoneInfo) -> Iterator[datetime]:
    """The instants (to the second) where `tz` changes its UTC offset around local `day`."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC) - timedelta(hours=3)
    hour = timedelta(hours=1)
    for step in range(30):
        lo, hi = start + step * hour, start + (step + 1) * hour
        if lo.astimezone(tz).utcoffset() != hi.astimezone(tz).utcoffset():
            yield _bisect(lo, hi, tz)


def _bisect(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    # invariant: lo has the old offset, hi the new one; stop at one-second precision
    after = hi.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


def done_steps(
    plan: sequences.Plan, sequence: sequences.Sequence, sent: frozenset[tuple[str, str]]
) -> frozenset[str]:
    """The step ids of `sequence` that count as done, given every (sequence, step id) sent.

    Done means sent; and, when sequences.yaml says `on_cause_change: switch`, also the steps
    whose content the subscriber already received in another cause's sequence. Enrollment and
    dispatch both plan from this, so a switch never repeats content, then or later.
    """
    here = frozenset(step for seq, step in sent if seq == sequence.cause)
    if plan.on_cause_change is not sequences.CauseChange.SWITCH:
        return here
    return here | covered(sequence, _content_sent(plan, sent, besides=sequence.cause))


def _content_sent(
    plan: sequences.Plan, sent: frozenset[tuple[str, str]], *, besides: str
) -> frozenset[str]:
    """The content slugs of the steps sent in sequences other than `besides`."""
    received: set[str] = set()
    for cause, step_id in sent:
        other = plan.sequence(cause) if cause != besides else None
        step = other.step(step_id) if other else None
        if step is not None:
            received.update(step.content)
    return frozenset(received)


def covered(sequence: sequences.Sequence, received: frozenset[str]) -> frozenset[str]:
    """Ids of the steps whose every content slug the subscriber already received elsewhere.

    With `on_cause_change: switch`, these count as sent in the new cause's sequence: a patient
    who changes their answer is not taught the same treatment twice.
    """
    return frozenset(s.id for s in sequence.steps if s.content and set(s.content) <= received)


@dataclass(frozen=True, kw_only=True)
class Edit:
    """One change between two versions of a sequence: `kind` is added, removed, moved, delay
    or content; `text` says it ("delay of rest changed 2d → 3d")."""

    kind: str
    step_id: str
    text: str


def edits(old: sequences.Sequence, new: sequences.Sequence) -> list[Edit]:
    """What changed between two versions of a sequence, in the order `describe_edit` lists."""
    old_ids = [s.id for s in old.steps]
    new_ids = [s.id for s in new.steps]
    found = [
        Edit(kind="added", step_id=i, text=f"added step {i}") for i in new_ids if i not in old_ids
    ]
    found += [
        Edit(kind="removed", step_id=i, text=f"removed step {i}")
        for i in old_ids
        if i not in new_ids
    ]
    common_old = [i for i in old_ids if i in new_ids]
    common_new = [i for i in new_ids if i in old_ids]
    kept = _longest_common_subsequence(common_old, common_new)
    found += [
        Edit(kind="moved", step_id=i, text=f"moved step {i}") for i in common_new if i not in kept
    ]
    for step_id in common_new:
        before, after = old.step(step_id), new.step(step_id)
        assert before is not None and after is not None  # both lists hold step_id
        if before.after != after.after:
            text = (
                f"delay of {step_id} changed {durations.format_duration(before.after)} → "
                f"{durations.format_duration(after.after)}"
            )
            found.append(Edit(kind="delay", step_id=step_id, text=text))
        if _content(before) != _content(after):
            found.append(
                Edit(kind="content", step_id=step_id, text=f"changed content of step {step_id}")
            )
    return found


def describe_edit(old: sequences.Sequence, new: sequences.Sequence) -> list[str]:
    """What changed between two versions of a sequence, one line per change, for `drip plan`.

    Lines: "added step X", "removed step Y", "moved step Z", "delay of W changed 2d → 3d",
    "changed content of step V" (subject, preheader, template or content slugs).
    """
    return [edit.text for edit in edits(old, new)]


def renames(old: sequences.Sequence, new: sequences.Sequence) -> dict[str, str]:
    """Steps that look renamed (new id → old id): an id only `new` has whose content slugs or
    subject are those of an id only `old` had. The rule treats a rename as a removed step and
    an added one, so whoever had the old id gets the step again: `drip check` warns."""
    gone = [s for s in old.steps if new.step(s.id) is None]
    found: dict[str, str] = {}
    for step in new.steps:
        if old.step(step.id) is not None:
            continue
        match = next(
            (
                g
                for g in gone
                if g.id not in found.values()
                and ((g.content and g.content == step.content) or g.subject == step.subject)
            ),
            None,
        )
        if match is not None:
            found[step.id] = match.id
    return found


def _content(step: sequences.Step) -> tuple[object, ...]:
    return (step.template, step.subject, step.preheader, step.content)


def _longest_common_subsequence(a: list[str], b: list[str]) -> set[str]:
    # steps in the LCS kept their relative order; every other common step "moved"
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept
