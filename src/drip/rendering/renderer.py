"""Render each step once: subject, preheader, HTML and text, with personal placeholders.

renderer = Renderer(plan=plan, article=article, templates=Path("templates/emails"))
rendered = renderer.step("muscle-injury", "welcome")   # cached per (cause, step id)
message = compose(rendered, clinic=plan.clinic, recipient=..., links=..., ...)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from drip import content, errors, sequences, topics
from drip.rendering import blocks, compiler, context, limits, model, text, variables


class Renderer:
    """Renders the steps of a plan from its article and a templates directory, once each."""

    def __init__(self, *, plan: sequences.Plan, article: content.Article, templates: Path) -> None:
        self.plan = plan
        self.article = article
        self.templates = compiler.Templates(templates)
        self._cache: dict[tuple[str, str], model.RenderedStep] = {}
        # What the emails call the condition: sequences.yaml's `topic:`, else the article's.
        self.topic = plan.topic or topics.of(article)

    def step(self, cause: str, step_id: str) -> model.RenderedStep:
        """The rendered step `step_id` of the sequence for `cause` (rendered on first use)."""
        key = (cause, step_id)
        if key not in self._cache:
            self._cache[key] = self._render_step(cause, step_id)
        return self._cache[key]

    def confirmation(self) -> model.RenderedStep:
        """The double opt-in email, which names no cause (rendered on first use)."""
        key = ("", sequences.CONFIRM_STEP)
        if key not in self._cache:
            self._cache[key] = self._render_confirmation()
        return self._cache[key]

    def _render_step(self, cause_slug: str, step_id: str) -> model.RenderedStep:
        cause = self.plan.cause(cause_slug)
        sequence = self.plan.sequence(cause_slug)
        if cause is None or sequence is None:
            raise errors.NotFound(f"no sequence for cause {cause_slug!r} in sequences.yaml")
        index = sequence.index(step_id)
        if index is None:
            raise errors.NotFound(
                f"no step {step_id!r} in the {cause_slug!r} sequence; "
                f"its steps are {', '.join(s.id for s in sequence.steps)}"
            )
        step = sequence.steps[index]
        where = f"sequence {cause_slug!r}, step {step_id!r}"
        values = self._base_context()
        values.update(context.for_step(sequence, index, cause, self.plan.clinic))
        values["blocks"] = blocks.for_step(self.article, step, where=where)
        return self._render(step.template, step.subject, step.preheader, values)

    def _render_confirmation(self) -> model.RenderedStep:
        values = self._base_context()
        values["links"] = dict(context.CONFIRM_LINKS)
        values["blocks"] = []
        values["step"] = {"id": sequences.CONFIRM_STEP, "number": 0, "total": 0, "lead": ""}
        values["cta"] = {
            "label": "Confirm my subscription",
            "url": context.CONFIRM_LINKS["confirm"],
        }
        preheader = f"One click to confirm your tips on {self.topic} from {self.plan.clinic.name}."
        subject = self.plan.confirmation_subject
        return self._render(self.plan.confirmation_template, subject, preheader, values)

    def _base_context(self) -> dict[str, Any]:
        return context.shared(self.plan, self.article, self.topic)

    def previews_context(self) -> dict[str, Any]:
        """What a subject or preheader may use (`drip check` suggests names from it)."""
        return self._base_context()

    def _render(
        self, name: str, subject: str, preheader: str, values: dict[str, Any]
    ) -> model.RenderedStep:
        # Subject and preheader are Jinja too (sandboxed), so they may greet by first name; but
        # with the shared values only, never the cause or the content: the subject is a
        # header, and both show on a phone's lock screen. A patient's cause is health data
        # (docs/architecture.md).
        where = f"step {values['step']['id']!r}"
        shown = self._base_context()
        subject = self._inline(subject, shown, f"{where}, subject")
        preheader = self._inline(preheader, shown, f"{where}, preheader")
        values["step"] = {**values["step"], "subject": subject, "preheader": preheader}
        source = self.templates.render(name, values)
        html = self.templates.compile(name, source)
        plain = self.templates.render(self.templates.text_twin(name), _text_context(values))
        return model.RenderedStep(
            subject=subject, preheader=preheader, html=html, text=text.tidy(plain)
        )

    def _inline(self, source: str, values: dict[str, Any], where: str) -> str:
        try:
            template = self.templates.env.from_string(source)
            return " ".join(limits.render(template, values).split())
        except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
            found = variables.unknown(self.templates.env, source, context.names(values))
            reason = _preview_reason(found[0]) if found else str(exc)
            raise compiler.TemplateError(
                f"{where}: {reason}", file="sequences.yaml", line=None
            ) from exc


def _preview_reason(unknown: variables.Unknown) -> str:
    if unknown.name.split(".")[0] in context.STEP_ONLY:
        return (
            f"{{{{ {unknown.name} }}}} is not available in a subject or preheader: both show on "
            "lock screens and the subject is an email header, so they never name the patient's "
            "cause or the content; say it in the email's body"
        )
    return unknown.message()


def _text_context(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "refs": text.References()}
