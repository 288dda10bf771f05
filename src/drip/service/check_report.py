"""What `drip check` found, and how it says so: one line per finding, then what was checked.

    sequences.yaml:37:18: sequences.muscle-injury.steps[1].subject: for a patient with no …
    sequences.yaml:44:16: warning: sequences.muscle-injury.steps[2].after: after: 30m sends …
    checked 2 sequences, 5 steps and the opt-in email, all rendered: 1 problem, 1 warning

A problem means an email is broken or must not go out (exit status 1); a warning is worth a
look and fails only under `--strict`. `--json` gives the same, for CI.
"""

from __future__ import annotations

import dataclasses
import json

from drip import errors
from drip.rendering import spam


@dataclasses.dataclass(frozen=True, kw_only=True)
class StepScore:
    """SpamAssassin's score of one email: `where` in sequences.yaml, `email` as people say it."""

    where: str
    email: str
    score: spam.Score


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckReport:
    """What `check` found: no problems means every email can be rendered and sent."""

    problems: list[errors.Problem]
    warnings: list[errors.Problem] = dataclasses.field(default_factory=list)
    sequences: int = 0  # sequences in the plan (0 when sequences.yaml could not be loaded)
    steps: int = 0  # steps over all sequences
    steps_rendered: int = 0  # steps rendered without error (the confirmation not counted)
    rendered: bool = False  # whether the templates and the emails were checked at all
    scores: list[StepScore] | None = None  # with --deliverability

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def loaded(self) -> bool:
        return self.sequences > 0

    def passed(self, *, strict: bool = False) -> bool:
        """No problems (and, when `strict`, no warnings either)."""
        return self.ok and not (strict and self.warnings)


def format_human(report: CheckReport) -> str:
    """The problems, then the warnings, one per line; the scores; then what was checked."""
    lines = [str(p) for p in report.problems]
    lines += [_warning(w) for w in report.warnings]
    if report.scores:
        lines.append("SpamAssassin, local tests (drip's emails score under 0.5; 5 is spam):")
        width = max(len(s.email) for s in report.scores)
        lines += [
            f"  {s.email:<{width}}  {s.score.points:6.3f}  {s.score.fired()}" for s in report.scores
        ]
    return "\n".join([*lines, summary(report)])


def _warning(problem: errors.Problem) -> str:
    where = f"{problem.where}: " if problem.where else ""
    return f"{problem.file}:{problem.line}:{problem.column}: warning: {where}{problem.message}"


def summary(report: CheckReport) -> str:
    """What was checked and what was found; after a schema error, what could not be checked."""
    found = (
        f"{_plural(len(report.problems), 'problem')}, {_plural(len(report.warnings), 'warning')}"
    )
    if not report.loaded:
        return (
            f"checked sequences.yaml only: {found}; the templates and the emails were not "
            "checked (they are once sequences.yaml loads)"
        )
    checked = f"checked {_plural(report.sequences, 'sequence')}, {_plural(report.steps, 'step')}"
    if not report.rendered:
        return (
            f"{checked}: {found}; the templates and the emails were not checked (they need the "
            "article and the templates folder)"
        )
    rendered = (
        "all rendered"
        if report.steps_rendered == report.steps
        else f"{report.steps_rendered} of {_plural(report.steps, 'step')} rendered"
    )
    return f"{checked} and the opt-in email, {rendered}: {found}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_json(report: CheckReport) -> str:
    """`{"ok", "problems", "warnings", "sequences", "steps", "steps_rendered", "checked",
    "summary"}`, and `"deliverability"` (each email's score and rules) when scored."""
    data: dict[str, object] = {
        "ok": report.ok,
        "problems": [p.as_dict() for p in report.problems],
        "warnings": [w.as_dict() for w in report.warnings],
        "sequences": report.sequences,
        "steps": report.steps,
        "steps_rendered": report.steps_rendered,
        "checked": {
            "sequences_yaml": True,
            "templates": report.rendered,
            "emails": report.rendered,
        },
        "summary": summary(report),
    }
    if report.scores is not None:
        data["deliverability"] = [
            {
                "where": s.where,
                "email": s.email,
                "score": s.score.points,
                "rules": dict(s.score.rules),
            }
            for s in report.scores
        ]
    return json.dumps(data, ensure_ascii=False, indent=2)
