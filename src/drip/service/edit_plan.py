"""`drip plan`: what an edit of sequences.yaml will do to the patients in the middle of it,
before anything is sent.

    report = edit_plan.build(positions=app.store.positions(), plan=plan, before=head_plan)
    print(edit_plan.format_human(report))      # or format_json(report)

It reads where every patient stands (the database) and applies planning's rule for edited
sequences (drip.planning: the first step of the current order not yet sent, checked again
when a queued step comes due) to the file as it is now. Per sequence: how many patients each
change affects (against the file's last committed version, `before`, when there is one), and
what they will get next, counted by step. Counts only: no patient, address or cause of anyone
is named (the sequence is the clinic's, not a patient's).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drip import planning, sequences, store
from drip.service import revisions
from drip.service.app import App

END = "(the sequence ends)"
NOTHING_QUEUED = "(nothing queued)"


@dataclass(frozen=True, kw_only=True)
class Change:
    text: str  # "added step posture"
    patients: int  # how many it affects
    effect: str  # what it does to them


@dataclass(frozen=True, kw_only=True)
class Next:
    step: str  # a step id, END or NOTHING_QUEUED
    patients: int
    instead_of: str | None = None  # the step queued for them now, when the file changes it


@dataclass(frozen=True, kw_only=True)
class SequencePlan:
    cause: str
    patients: int  # enrolled and still in it (paused ones included)
    paused: int
    changes: tuple[Change, ...]
    next: tuple[Next, ...]


@dataclass(frozen=True, kw_only=True)
class EditPlan:
    against: str  # what the changes are counted against
    sequences: tuple[SequencePlan, ...]

    @property
    def affected(self) -> int:
        """Patients whose next step the file changes (not the same as the one queued)."""
        return sum(n.patients for s in self.sequences for n in s.next if n.instead_of)


@dataclass(frozen=True, kw_only=True)
class _Seat:
    """One position, seen through the file as it is now."""

    position: store.Position
    done: frozenset[str]  # step ids that count as done (sent, or covered by a cause change)
    had: frozenset[str]  # step ids sent in this sequence
    next: str  # what the rule gives them next: a step id, END or NOTHING_QUEUED

    @property
    def still_in(self) -> bool:
        return self.position.queued is not None


def build(
    *,
    positions: Iterable[store.Position],
    plan: sequences.Plan,
    before: sequences.Plan | None,
    against: str = "",
) -> EditPlan:
    """The report: `before` is the file's last committed version (None: the changes cannot be
    told, only what patients get next; `against` says why)."""
    by_sequence: dict[str, list[store.Position]] = {}
    for position in positions:
        by_sequence.setdefault(position.sequence, []).append(position)
    causes = [*plan.sequences, *(c for c in by_sequence if c not in plan.sequences)]
    reports = tuple(_sequence(c, by_sequence.get(c, []), plan, before) for c in causes)
    return EditPlan(against=against, sequences=reports)


def for_app(app: App, *, compare: bool = True) -> EditPlan:
    """The report for the running database and the file `app` loaded, the changes counted
    since git HEAD's version of it (`compare`, and when the project is a git checkout)."""
    before, said = None, "changes not counted (--no-compare)"
    if compare:
        before, said = revisions.committed_plan(
            sequences_path=app.config.sequences, templates=app.config.templates
        )
        said = f"changes since {said}" if before else f"changes not counted: {said}"
    return build(positions=app.store.positions(), plan=app.plan, before=before, against=said)


def _sequence(
    cause: str,
    positions: list[store.Position],
    plan: sequences.Plan,
    before: sequences.Plan | None,
) -> SequencePlan:
    sequence = plan.sequence(cause)
    seats = [_seat(p, sequence, plan) for p in positions]
    total = sum(p.count for p in positions)
    paused = sum(p.count for p in positions if p.paused)
    changes: list[Change] = []
    old = before.sequence(cause) if before else None
    if sequence is None:
        changes.append(
            Change(
                text="sequence removed from sequences.yaml",
                patients=total,
                effect="have their queued step skipped: the sequence ends for them",
            )
        )
    elif before is not None and old is None:
        changes.append(Change(text="a new sequence", patients=total, effect="enrolled in it"))
    elif old is not None:
        changes += _changes(old, sequence, seats)
    if sequence is not None:
        changes += _queued_gone(sequence, seats, told=old)
    counted: Counter[tuple[str, str | None]] = Counter()
    for seat in seats:
        queued = seat.position.queued
        instead = queued if queued is not None and seat.next != queued else None
        counted[(seat.next, instead)] += seat.position.count
    order = {s.id: i for i, s in enumerate(sequence.steps)} if sequence else {}
    nexts = sorted(
        (Next(step=step, patients=n, instead_of=instead) for (step, instead), n in counted.items()),
        key=lambda n: (order.get(n.step, len(order)), n.step, n.instead_of or ""),
    )
    return SequencePlan(
        cause=cause, patients=total, paused=paused, changes=tuple(changes), next=tuple(nexts)
    )


def _seat(
    position: store.Position, sequence: sequences.Sequence | None, plan: sequences.Plan
) -> _Seat:
    had = frozenset(step for seq, step in position.sent if seq == position.sequence)
    if sequence is None:
        return _Seat(position=position, done=had, had=had, next=END)
    done = planning.done_steps(plan, sequence, position.sent)
    if position.queued is None:
        return _Seat(position=position, done=done, had=had, next=NOTHING_QUEUED)
    first = planning.first_unsent(sequence, done)
    return _Seat(position=position, done=done, had=had, next=END if first is None else first.id)


def _count(seats: Iterable[_Seat], which: Callable[[_Seat], bool]) -> int:
    return sum(s.position.count for s in seats if which(s))


def _changes(old: sequences.Sequence, new: sequences.Sequence, seats: list[_Seat]) -> list[Change]:
    """Each edit since `old`, with the patients it affects."""
    renamed = planning.renames(old, new)
    found: list[Change] = []
    for edit in planning.edits(old, new):
        step = edit.step_id
        if edit.kind == "added" and step in renamed:
            found.append(_renamed(renamed[step], step, seats))
            continue
        if edit.kind == "removed" and step in renamed.values():
            continue  # told with its new name
        found.append(_change(edit, seats))
    return found


def _renamed(gone: str, step: str, seats: list[_Seat]) -> Change:
    """A rename is a removal and an addition: those who had the old id get the step again;
    those who had it queued get it once, under its new id."""
    had = _count(seats, lambda s: gone in s.had and s.still_in)
    queued = _count(seats, lambda s: s.position.queued == gone)
    text = f"renamed step {gone} → {step}"
    once = f"had it queued as {gone}: they get it once, as {step}"
    if not had:
        return Change(text=text, patients=queued, effect=once)
    more = f" ({queued} more {once})" if queued else ""
    return Change(
        text=text, patients=had, effect=f"had it as {gone} and will get it again as {step}{more}"
    )


def _change(edit: planning.Edit, seats: list[_Seat]) -> Change:
    step = edit.step_id
    waiting = [s for s in seats if s.still_in and step not in s.done]
    if edit.kind == "added":
        first = _count(waiting, lambda s: s.next == step)
        effect = "will get it" + (f" ({first} next, in place of the step queued)" if first else "")
        return Change(text=edit.text, patients=_count(waiting, lambda s: True), effect=effect)
    if edit.kind == "removed":
        dropped = [s for s in seats if s.still_in and step not in s.had]
        queued = _count(dropped, lambda s: s.position.queued == step)
        effect = "will not get it" + (f" ({queued} had it queued: skipped)" if queued else "")
        return Change(text=edit.text, patients=_count(dropped, lambda s: True), effect=effect)
    if edit.kind == "delay":
        kept = _count(waiting, lambda s: s.position.queued == step)
        effect = "get the new delay when it is planned" + (
            f" ({kept} have it queued already: it keeps its time)" if kept else ""
        )
        return Change(text=edit.text, patients=_count(waiting, lambda s: True), effect=effect)
    effects = {"moved": "will get it in its new place", "content": "will get the new version"}
    return Change(
        text=edit.text, patients=_count(waiting, lambda s: True), effect=effects[edit.kind]
    )


def _queued_gone(
    sequence: sequences.Sequence, seats: list[_Seat], *, told: sequences.Sequence | None
) -> list[Change]:
    """Steps queued in the database that the file no longer has, unless the committed version
    `told` had them (then a removal or a rename above says so): the file was committed
    since, or there is no git."""
    gone = Counter(
        s.position.queued
        for s in seats
        for _ in range(s.position.count)
        if s.position.queued is not None and sequence.step(s.position.queued) is None
    )
    return [
        Change(
            text=f"step {step} is queued but no longer in sequences.yaml",
            patients=n,
            effect="skipped when it comes due; the next step follows",
        )
        for step, n in sorted(gone.items())
        if told is None or told.step(step) is None
    ]


def format_human(report: EditPlan) -> str:
    lines = [f"drip plan: sequences.yaml against the database; {report.against}"]
    for s in report.sequences:
        paused = f" ({s.paused} paused)" if s.paused else ""
        lines += ["", f"{s.cause}: {_patients(s.patients)} in it{paused}"]
        lines += [f"  {c.text}: {_patients(c.patients)} {c.effect}" for c in s.changes]
        if not s.changes:
            lines.append("  no change")
        if s.next:
            lines.append("  next:")
        width = max((len(n.step) for n in s.next), default=0)
        for n in s.next:
            instead = f"  in place of {n.instead_of}" if n.instead_of else ""
            lines.append(f"    {n.step:<{width}}  {n.patients:>6}{instead}")
    if not report.sequences:
        lines += ["", "nobody is in a sequence, and no sequence changed"]
    lines += ["", f"{_patients(report.affected)}: a different next step than the one queued"]
    return "\n".join(lines)


def _patients(n: int) -> str:
    return f"{n} patient" if n == 1 else f"{n} patients"


def format_json(report: EditPlan) -> str:
    return json.dumps(
        {
            "against": report.against,
            "affected": report.affected,
            "sequences": [
                {
                    "cause": s.cause,
                    "patients": s.patients,
                    "paused": s.paused,
                    "changes": [
                        {"change": c.text, "patients": c.patients, "effect": c.effect}
                        for c in s.changes
                    ],
                    "next": [
                        {"step": n.step, "patients": n.patients, "instead_of": n.instead_of}
                        for n in s.next
                    ],
                }
                for s in report.sequences
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
