"""`drip check`: everything that would go wrong before anything goes live, as located problems
and warnings.

    report = checking.check(sequences_path=Path("sequences.yaml"),
                            templates_dir=Path("templates/emails"))
    print(checking.format_human(report))

It reads sequences.yaml and the article it names, validates them together (content slugs,
template names), reads the templates' MJML as written (unknown tags and attributes, images
without alt, plain http links), then renders every step of every sequence and the opt-in
email with sample data, exactly as a send would, and checks each email: the unsubscribe link,
the postal address and the not-medical-advice note are there, and the subject and preheader
read well for a patient with no first name. With `deliverability`, SpamAssassin's local tests
score every email. A user's mistake never raises: it becomes an `errors.Problem`, a problem
(the email is broken or must not go out) or a warning (worth a look). The CLI chooses the exit
code from `report.passed(strict=…)`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from drip import content, errors, generate, ingest, planning, rendering, sequences, sequences_yaml
from drip.rendering import mjml_lint, spam
from drip.service import check_emails
from drip.service.check_report import CheckReport, StepScore, format_human, format_json

__all__ = ["CheckReport", "StepScore", "check", "format_human", "format_json"]

SAMPLE_DATE = check_emails.SAMPLE_DATE


def check(
    *,
    sequences_path: Path,
    templates_dir: Path,
    article_path: Path | None = None,
    deliverability: bool = False,
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
    locator = sequences_yaml.Locator(text)
    linted = sequences_yaml.lint(
        plan, file=file, locate=_at(locator), placeholders=generate.PLACEHOLDER_CLINIC
    )
    problems.extend(linted.problems)
    warnings = list(linted.warnings)
    warnings += _renamed(plan, file, _at(locator), sequences_path, templates_dir)
    steps = sum(len(s.steps) for s in plan.sequences.values())
    report = CheckReport(
        problems=problems, warnings=warnings, sequences=len(plan.sequences), steps=steps
    )
    if not loaded or templates is None:
        return report
    problems.extend(_template_findings(templates_dir))
    emails = _Emails(plan, loaded[0], templates_dir, file, locator)
    emails.render_all()
    problems.extend(emails.problems())
    warnings.extend(emails.warnings)
    scores = emails.score(problems, warnings) if deliverability else None
    return dataclasses.replace(
        report,
        problems=_in_order(problems),
        warnings=_in_order(warnings),
        steps_rendered=emails.rendered,
        rendered=True,
        scores=scores,
    )


def _at(locator: sequences_yaml.Locator) -> Callable[[str], tuple[int, int] | None]:
    def locate(where: str) -> tuple[int, int] | None:
        found = locator(where)
        return (found.line, found.column) if found else None

    return locate


def _renamed(
    plan: sequences.Plan,
    file: str,
    locate: Callable[[str], tuple[int, int] | None],
    sequences_path: Path,
    templates_dir: Path,
) -> list[errors.Problem]:
    """A step id that looks renamed since git HEAD (same content or subject under a new id):
    to drip a new id is a new step, so whoever had the old one gets it again."""
    from drip.service import revisions  # git runs only for a checkout

    before, _ = revisions.committed_plan(sequences_path=sequences_path, templates=templates_dir)
    if before is None:
        return []
    found = []
    for cause, sequence in plan.sequences.items():
        old = before.sequence(cause)
        renamed = planning.renames(old, sequence) if old else {}
        for index, step in enumerate(sequence.steps):
            if step.id not in renamed:
                continue
            where = f"sequences.{cause}.steps[{index}].id"
            line, column = locate(where) or (1, 1)
            message = (
                f"{step.id!r} looks like {renamed[step.id]!r} renamed (git HEAD has that id with "
                f"the same content): a new id is a new step, so patients who had "
                f"{renamed[step.id]!r} will get it again; keep the old id, or see how many "
                "with `drip plan`"
            )
            found.append(
                errors.Problem(file=file, line=line, column=column, where=where, message=message)
            )
    return found


def _in_order(found: list[errors.Problem]) -> list[errors.Problem]:
    """sequences.yaml's findings by line, then each template's, by file and line."""
    return sorted(found, key=lambda p: (not p.file.endswith((".yaml", ".yml")), p.file, p.line))


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


def _template_findings(directory: Path) -> list[errors.Problem]:
    shown = rendering.compiler.Templates(directory)
    return [
        errors.Problem(
            file=shown.display(f.file), line=f.line, column=f.column, where="", message=f.message
        )
        for f in mjml_lint.lint(directory)
    ]


class _Emails:
    """Every email of the plan, rendered and composed once for the sample patient, checked."""

    def __init__(
        self,
        plan: sequences.Plan,
        article: content.Article,
        templates_dir: Path,
        file: str,
        locator: sequences_yaml.Locator,
    ) -> None:
        self.plan = plan
        self.file = file
        self.locator = locator
        self.renderer = rendering.Renderer(plan=plan, article=article, templates=templates_dir)
        self.failures: dict[errors.Problem, list[str]] = {}
        self.warnings: list[errors.Problem] = []
        self.sent: list[tuple[str, str, EmailMessage]] = []  # (where, which email, the message)
        self.rendered = 0

    def render_all(self) -> None:
        for cause, sequence in self.plan.sequences.items():
            for index, step in enumerate(sequence.steps):
                where = f"sequences.{cause}.steps[{index}]"
                render = functools.partial(self.renderer.step, cause, step.id)
                if self._one(
                    render, where, f"{where} ({step.id})", step=step, email=f"{cause}/{step.id}"
                ):
                    self.rendered += 1
        self._one(
            self.renderer.confirmation, "confirmation", "confirmation", step=None, email="opt-in"
        )

    def _one(
        self,
        render: Callable[[], rendering.RenderedStep],
        where: str,
        user: str,
        *,
        step: sequences.Step | None,
        email: str,
    ) -> bool:
        """Render, compose and check one email; False when it could not be rendered."""
        try:
            rendered = render()
            message = check_emails.compose(self.plan, rendered, first_name="Sam")
            nameless = check_emails.compose(self.plan, rendered, first_name="")
        except errors.DripError as exc:
            self._failed(check_emails.locate(exc, where, self.locator, self.file), user)
            return False
        self.sent.append((where, email, message))
        template = step.template if step else self.plan.confirmation_template
        checks = check_emails.Checks(self.file, self.locator, self.renderer.templates, template)
        for problem in checks.email(rendered, nameless, where, plan=self.plan, step=step):
            self._failed(problem, user)
        return True

    def _failed(self, problem: errors.Problem, user: str) -> None:
        self.failures.setdefault(problem, []).append(user)

    def problems(self) -> list[errors.Problem]:
        return [check_emails.used_by(problem, users) for problem, users in self.failures.items()]

    def score(
        self, problems: list[errors.Problem], warnings: list[errors.Problem]
    ) -> list[StepScore]:
        """SpamAssassin's score of every email, the worst as problems (5 points: spam) and
        warnings (0.5); a missing spamassassin is one problem."""
        try:
            scores = spam.score([message for _, _, message in self.sent])
        except errors.ConfigError as exc:
            at = errors.Problem(
                file=self.file, line=1, column=1, where="--deliverability", message=str(exc)
            )
            problems.append(at)
            return []
        found = [
            StepScore(where=where, email=email, score=score)
            for (where, email, _), score in zip(self.sent, scores, strict=True)
        ]
        for scored in found:
            verdict = check_emails.spam_verdict(scored.score)
            if verdict is not None:
                located = self.locator(scored.where)
                line, column = (located.line, located.column) if located else (1, 1)
                problem = errors.Problem(
                    file=self.file, line=line, column=column, where=scored.where, message=verdict
                )
                (problems if scored.score.points >= check_emails.SPAM else warnings).append(problem)
        return found
