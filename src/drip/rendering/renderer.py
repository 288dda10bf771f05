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
from drip.rendering import blocks, compiler, model, text

# Context values that differ per patient: the template sees placeholders, `compose` fills them.
_SUBSCRIBER = {
    "first_name": model.placeholder(model.FIRST_NAME),
    "greeting": model.placeholder(model.GREETING),
}
_LINKS = {
    "unsubscribe": model.placeholder(model.UNSUBSCRIBE),
    "preferences": model.placeholder(model.PREFERENCES),
}


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
        context = self._base_context()
        context.update(
            cause=cause,
            blocks=blocks.resolve(self.article, step.content, where=where),
            is_first=index == 0,
            is_last=index == len(sequence.steps) - 1,
        )
        info = {"id": step.id, "number": index + 1, "total": len(sequence.steps)}
        return self._render(step.template, step.subject, step.preheader, info, context)

    def _render_confirmation(self) -> model.RenderedStep:
        context = self._base_context()
        context["links"] = {**_LINKS, "confirm": model.placeholder(model.CONFIRM)}
        context["blocks"] = []
        preheader = f"One click to confirm your tips on {self.topic} from {self.plan.clinic.name}."
        info: dict[str, Any] = {"id": sequences.CONFIRM_STEP, "number": 0, "total": 0}
        subject = self.plan.confirmation_subject
        return self._render(self.plan.confirmation_template, subject, preheader, info, context)

    def _base_context(self) -> dict[str, Any]:
        return {
            "clinic": self.plan.clinic,
            "article": {"title": self.article.title, "author": self.article.author},
            "subscriber": dict(_SUBSCRIBER),
            "links": dict(_LINKS),
            "booking_url": self.plan.clinic.booking_url,
            "topic": self.topic,
        }

    def _render(
        self, name: str, subject: str, preheader: str, info: dict[str, Any], context: dict[str, Any]
    ) -> model.RenderedStep:
        # Subject and preheader are Jinja too (sandboxed), so they may greet by first name; but
        # without the cause or the content: the subject is a header, and both show on a phone's
        # lock screen. A patient's cause is health data (docs/architecture.md).
        where = f"step {info['id']!r}"
        shown = {k: v for k, v in context.items() if k not in _NOT_IN_PREVIEWS}
        subject = self._inline(subject, shown, f"{where}, subject")
        preheader = self._inline(preheader, shown, f"{where}, preheader")
        context["step"] = {**info, "subject": subject, "preheader": preheader}
        source = self.templates.render(name, context)
        html = self.templates.compile(name, source)
        plain = self.templates.render(self.templates.text_twin(name), _text_context(context))
        return model.RenderedStep(
            subject=subject, preheader=preheader, html=html, text=text.tidy(plain)
        )

    def _inline(self, source: str, context: dict[str, Any], where: str) -> str:
        try:
            return " ".join(self.templates.env.from_string(source).render(context).split())
        except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
            raise compiler.TemplateError(
                f"{where}: {exc}", file="sequences.yaml", line=None
            ) from exc


_NOT_IN_PREVIEWS = frozenset({"cause", "blocks"})


def _text_context(context: dict[str, Any]) -> dict[str, Any]:
    return {**context, "refs": text.References()}
