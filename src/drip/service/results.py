"""`drip stats`: how each step of each sequence did, in counts. Never a patient.

Rows follow sequences.yaml (each cause's steps in order, the opt-in email first); steps that
left the file but were sent keep their rows, marked. Opens and clicks are shown only when the
clinic tracks them (DRIP_TRACKING=on): off, there are none to count.
"""

from __future__ import annotations

from dataclasses import dataclass

from drip import config, errors, sequences, store
from drip.service import app as app_module

COUNTS = ("sent", "failed", "bounced", "suppressed", "unsubscribed")
TRACKED = ("opened", "clicked")


@dataclass(frozen=True, kw_only=True)
class Row:
    sequence: str  # a cause's slug, or "_confirm" (the opt-in email)
    step_id: str
    counts: store.StepResult
    in_file: bool = True  # False: the step was sent, then left sequences.yaml

    @property
    def label(self) -> str:
        if self.sequence == sequences.CONFIRM_SEQUENCE:
            return "opt-in email"
        return f"{self.sequence} / {self.step_id}" + ("" if self.in_file else " (removed)")


@dataclass(frozen=True, kw_only=True)
class Results:
    rows: tuple[Row, ...]
    tracking: bool
    clinic: str

    @property
    def columns(self) -> tuple[str, ...]:
        return COUNTS + (TRACKED if self.tracking else ())

    def value(self, row: Row, column: str) -> int:
        found: int = getattr(row.counts, column)
        return found


def stats(cfg: config.Config) -> Results:
    """The results of every step that has been queued at least once, in the file's order."""
    db = store.Store(cfg.database_url)
    try:
        found = {(r.sequence, r.step_id): r for r in db.step_results()}
    finally:
        db.dispose()
    try:
        plan, _ = app_module.load_plan(cfg)
    except errors.DripError:
        plan = None  # the counts do not need the file: shown in the database's order
    rows = [_row(key, found.pop(key)) for key in _order(plan) if key in found]
    rows += [_row(key, result, in_file=plan is None) for key, result in found.items()]
    return Results(rows=tuple(rows), tracking=cfg.tracking, clinic=plan.clinic.name if plan else "")


def _order(plan: sequences.Plan | None) -> list[tuple[str, str]]:
    if plan is None:
        return []
    keys = [(sequences.CONFIRM_SEQUENCE, sequences.CONFIRM_STEP)]
    for cause in plan.causes:
        sequence = plan.sequence(cause.slug)
        keys += [(cause.slug, step.id) for step in sequence.steps] if sequence else []
    return keys


def _row(key: tuple[str, str], counts: store.StepResult, *, in_file: bool = True) -> Row:
    return Row(sequence=key[0], step_id=key[1], counts=counts, in_file=in_file)
