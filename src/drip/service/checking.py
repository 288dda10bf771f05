"""`drip check`: everything that would go wrong before anything goes live, as located problems.

    report = checking.check(sequences_path=Path("sequences.yaml"),
                            templates_dir=Path("templates/emails"))
    print(checking.format_human(report))

It reads sequences.yaml and the article it names, validates them together (content slugs,
template names), then renders every step of every sequence and the confirmation email with
sample data, exactly as a send would. A user's mistake never raises: it becomes an
`errors.Problem`. The CLI chooses the exit code from `report.ok`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from drip import content, errors, ingest, rendering, sequences, sequences_yaml

# The Date header of sample messages: check's result must not depend on when it runs.
SAMPLE_DATE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckReport:
    """What `check` found: no problems means every email can be rendered and sent."""

    problems: list[errors.Problem]
    sequences: int = 0  # sequences in the plan (0 when sequences.yaml could not be loaded)
    steps: int = 0  # steps over all sequences
    steps_rendered: int = 0  # steps rendered without error (the confirmation not counted)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(
    *, sequences_path: Path, templates_dir: Path, article_path: Path | None = None
) -> CheckReport:
    """Check sequences.yaml, its article and the templates; never raises for a user's mistake.

    `article_path` overrides the `article:` of sequences.yaml (which is relative to it).
    """
    file = str(sequences_path)
    try:
        text = sequences_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return CheckReport(problems=[_unreadable(file, exc)])
    problems: list[errors.Problem] = []
    loaded: list[content.Article] = []

    def load_article(relative: str) -> content.Article:
        try:
            loaded.append(ingest.read_article(article_path or sequences_path.parent / relative))
        except errors.DripError as exc:
            advice = "" if article_path else " (the path is relative to sequences.yaml)"
            raise errors.ArticleError(f"{exc}{advice}") from None
        return loaded[-1]

    templates = _templates(templates_dir, problems)
    try:
        plan = sequences_yaml.load(text, file=file, article=load_article, templates=templates)
    except errors.ContentError as exc:
        return CheckReport(problems=problems + exc.problems)
    steps = sum(len(s.steps) for s in plan.sequences.values())
    rendered = 0
    if loaded and templates is not None:
        rendered = _render_all(plan, loaded[0], templates_dir, text, file, problems)
    return CheckReport(
        problems=problems,
        sequences=len(plan.sequences),
        steps=steps,
        steps_rendered=rendered,
    )


def _unreadable(file: str, exc: Exception) -> errors.Problem:
    reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
    return errors.Problem(
        file=file,
        line=1,
        column=1,
        where="",
        message=f"cannot read it ({reason}): give the right path, or write one with drip generate",
    )


def _templates(directory: Path, problems: list[errors.Problem]) -> list[str] | None:
    """The template file names (relative, with "/"), or None when the folder is missing."""
    try:
        return rendering.available(directory)
    except errors.ConfigError:
        problems.append(
            errors.Problem(
                file=str(directory), line=1, column=1, where="", message=rendering.catalog.MISSING
            )
        )
        return None


def _render_all(
    plan: sequences.Plan,
    article: content.Article,
    templates_dir: Path,
    text: str,
    file: str,
    problems: list[errors.Problem],
) -> int:
    """Render and compose every step and the confirmation; returns the steps rendered."""
    renderer = rendering.Renderer(plan=plan, article=article, templates=templates_dir)
    failures: dict[errors.Problem, list[str]] = {}
    rendered = 0
    for cause, sequence in plan.sequences.items():
        for index, step in enumerate(sequence.steps):
            where = f"sequences.{cause}.steps[{index}]"
            failure = _attempt(plan, functools.partial(renderer.step, cause, step.id))
            if failure is None:
                rendered += 1
            else:
                problem = _locate(failure, where, text, file)
                failures.setdefault(problem, []).append(f"{where} ({step.id})")
    failure = _attempt(plan, renderer.confirmation)
    if failure is not None:
        failures.setdefault(_locate(failure, "confirmation", text, file), []).append("confirmation")
    problems.extend(_used_by(problem, users) for problem, users in failures.items())
    return rendered


def _attempt(
    plan: sequences.Plan, render: Callable[[], rendering.RenderedStep]
) -> errors.DripError | None:
    """Render one email and compose it for the sample patient; the error, if any."""
    try:
        rendering.compose(
            render(),
            clinic=plan.clinic,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=rendering.sample_links(plan.clinic.base_url),
            message_id=rendering.message_id("drip-check-sample", domain=plan.clinic.sender_domain),
            date=SAMPLE_DATE,
        )
    except errors.DripError as exc:
        return exc
    return None


def _locate(exc: errors.DripError, where: str, text: str, file: str) -> errors.Problem:
    """A template error at its template line; anything else at the step in sequences.yaml."""
    if isinstance(exc, rendering.TemplateError) and exc.file.endswith(".j2"):
        problem = exc.problem()
        return dataclasses.replace(problem, message=problem.message + _advice(exc))
    # Not a template's fault (a subject's Jinja, a content slug, a header): point at the step.
    located = sequences_yaml.locate(text, where)
    line, column = (located.line, located.column) if located else (1, 1)
    reason = exc.reason if isinstance(exc, rendering.TemplateError) else str(exc)
    return errors.Problem(file=file, line=line, column=column, where=where, message=reason)


def _advice(exc: rendering.TemplateError) -> str:
    cause = exc.__cause__
    if isinstance(cause, jinja2.UndefinedError):
        return ": check the spelling, or guard it with {% if … is defined %}"
    if isinstance(cause, jinja2.TemplateSyntaxError):
        return ": fix the Jinja syntax on this line ({{ value }}, {% tag %} … {% endtag %})"
    if exc.reason.startswith("invalid MJML"):
        return ": fix the MJML markup (every <mj-…> tag closed, inside <mj-body>)"
    return ""


def _used_by(problem: errors.Problem, users: list[str]) -> errors.Problem:
    """The problem, saying which emails it stops (the first three, then a count)."""
    shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
    return dataclasses.replace(problem, message=f"{problem.message} (rendering {shown})")


def format_human(report: CheckReport) -> str:
    """One `file:line:col: where: message` line per problem, then a summary line."""
    count = len(report.problems)
    summary = (
        f"checked {_plural(report.sequences, 'sequence')}, {_plural(report.steps, 'step')}: "
        f"{_plural(count, 'problem')}"
    )
    return "\n".join([*(str(p) for p in report.problems), summary])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_json(report: CheckReport) -> str:
    """`{"ok", "problems": [{file, line, column, where, message}], "sequences", "steps"}`."""
    return json.dumps(
        {
            "ok": report.ok,
            "problems": [p.as_dict() for p in report.problems],
            "sequences": report.sequences,
            "steps": report.steps,
        },
        ensure_ascii=False,
        indent=2,
    )
