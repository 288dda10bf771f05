"""`drip check`'s look at each rendered email, and where in the user's files each finding goes.

A finding about a subject, a preheader or a step's body points at that value in
sequences.yaml; one about what the email lacks points at its template (the HTML one, or its
text twin), line 1, since the thing is missing from it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from email.message import EmailMessage

import jinja2

from drip import errors, rendering, sequences, sequences_yaml
from drip.rendering import audit, compiler, markdown, spam

# The Date header of sample messages: check's result must not depend on when it runs.
SAMPLE_DATE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SPAM = 5.0  # SpamAssassin's own threshold: a message at or over it is spam
WORTH_A_LOOK = 0.5  # drip's target for every committed email


def compose(
    plan: sequences.Plan, rendered: rendering.RenderedStep, *, first_name: str
) -> EmailMessage:
    """The email as the sample patient (or one with no first name) gets it."""
    return rendering.compose(
        rendered,
        clinic=plan.clinic,
        recipient=rendering.Recipient(
            email=rendering.SAMPLE_RECIPIENT.email, first_name=first_name
        ),
        links=rendering.sample_links(plan.clinic.base_url),
        message_id=rendering.message_id("drip-check-sample", domain=plan.clinic.sender_domain),
        date=SAMPLE_DATE,
    )


class Checks:
    """The checks of one rendered email, made with `template` (the step's, or the opt-in's)."""

    def __init__(
        self,
        file: str,
        locator: sequences_yaml.Locator,
        templates: compiler.Templates,
        template: str,
    ) -> None:
        self.file = file
        self.locator = locator
        self.templates = templates
        self.template = template

    def email(
        self,
        rendered: rendering.RenderedStep,
        nameless: EmailMessage,
        where: str,
        *,
        plan: sequences.Plan,
        step: sequences.Step | None,
    ) -> list[errors.Problem]:
        found = self._previews(rendered, nameless, where, has_preheader=step is not None)
        found += self._complete(rendered, plan.clinic, opt_in=step is None)
        if step is not None and step.body:
            found += self._body(step.body, f"{where}.body")
        return found

    def _previews(
        self,
        rendered: rendering.RenderedStep,
        nameless: EmailMessage,
        where: str,
        *,
        has_preheader: bool,
    ) -> list[errors.Problem]:
        lines = [("subject", " ".join(str(nameless["Subject"] or "").split()))]
        if has_preheader and rendered.preheader.strip():
            lines.append(("preheader", audit.without_name(rendered.preheader)))
        return [
            self._at(f"{where}.{field}", _nameless(field, line))
            for field, line in lines
            if audit.reads_badly(line)
        ]

    def _complete(
        self, rendered: rendering.RenderedStep, clinic: sequences.Clinic, *, opt_in: bool
    ) -> list[errors.Problem]:
        found = []
        for part, lacking in audit.missing(rendered, clinic=clinic, opt_in=opt_in):
            twin = self.templates.text_twin(self.template)
            name = self.template if part == "HTML" else twin
            found.append(
                errors.Problem(
                    file=self.templates.display(name),
                    line=1,
                    column=1,
                    where="",
                    message=f"the email's {part} part has no {lacking}: extend base.mjml.j2 (and "
                    "base.txt.j2), whose footer has it, or write it into this template",
                )
            )
        return found

    def _body(self, body: str, where: str) -> list[errors.Problem]:
        found = [
            self._at(
                where,
                f"the link {url!r} is not https: write https://… (mail clients and spam filters "
                "distrust plain http links)",
            )
            for url in markdown.links(body)
            if not url.lower().startswith(("https://", "mailto:", "tel:"))
        ]
        if markdown.images(body):
            found.append(
                self._at(
                    where,
                    "a step's body shows no images (![…](…)): many mail clients block them; "
                    "describe it in words, or put the image in a template with its alt text",
                )
            )
        return found

    def _at(self, where: str, message: str) -> errors.Problem:
        located = self.locator(where)
        line, column = (located.line, located.column) if located else (1, 1)
        return errors.Problem(
            file=self.file, line=line, column=column, where=where, message=message
        )


def _nameless(field: str, line: str) -> str:
    reads = f"reads {json.dumps(line, ensure_ascii=False)}" if line else "is empty"
    return (
        f"for a patient with no first name the {field} {reads}: write it so that it reads well "
        "without the name (the greeting in the email uses it), e.g. put "
        "{{ subscriber.first_name }} after the words, not before them"
    )


def locate(
    exc: errors.DripError, where: str, locator: sequences_yaml.Locator, file: str
) -> errors.Problem:
    """A template error at its template line; a subject's or preheader's at that field; anything
    else at the step in sequences.yaml."""
    if isinstance(exc, rendering.TemplateError) and exc.file.endswith(".j2"):
        problem = exc.problem()
        return dataclasses.replace(problem, message=problem.message + _advice(exc))
    reason = exc.reason if isinstance(exc, rendering.TemplateError) else str(exc)
    field = next((f for f in ("subject", "preheader") if f", {f}: " in reason), "")
    if field:  # "step 'welcome', subject: {{ x }} is not …": at the subject's own line
        where, reason = f"{where}.{field}", reason.split(f", {field}: ", 1)[1]
    located = locator(where)
    line, column = (located.line, located.column) if located else (1, 1)
    return errors.Problem(file=file, line=line, column=column, where=where, message=reason)


def _advice(exc: rendering.TemplateError) -> str:
    cause = exc.__cause__
    if isinstance(cause, jinja2.UndefinedError):
        if "did you mean" in exc.reason:
            return ""
        return ": check the spelling, or guard it with {% if … is defined %}"
    if isinstance(cause, jinja2.TemplateSyntaxError):
        return ": fix the Jinja syntax on this line ({{ value }}, {% tag %} … {% endtag %})"
    if exc.reason.startswith("invalid MJML"):
        return ": fix the MJML markup (every <mj-…> tag closed, inside <mj-body>)"
    return ""


def used_by(problem: errors.Problem, users: list[str]) -> errors.Problem:
    """The problem, saying which emails it stops (the first three, then a count)."""
    shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
    return dataclasses.replace(problem, message=f"{problem.message} (rendering {shown})")


def spam_verdict(score: spam.Score) -> str | None:
    """What a SpamAssassin score means for the email, when it means anything."""
    if score.points >= SPAM:
        return (
            f"SpamAssassin scores this email {score.points:g} ({score.fired()}): most mail "
            "servers would file it as spam; change what those rules point at"
        )
    if score.points >= WORTH_A_LOOK:
        return (
            f"SpamAssassin scores this email {score.points:g} ({score.fired()}): some filters "
            f"add up small scores; drip's emails score under {WORTH_A_LOOK}"
        )
    return None
