"""Rendering: email templates (Jinja2 → MJML → HTML, plus a plain-text twin) and messages.

    from drip import rendering
    renderer = rendering.Renderer(plan=plan, article=article, templates=Path("templates/emails"))
    rendered = renderer.step("muscle-injury", "welcome")        # once per (cause, step)
    message = rendering.compose(rendered, clinic=plan.clinic, recipient=..., links=...,
                                message_id=rendering.message_id(key, domain=...), date=now)

A rendered step holds placeholders (`%%drip:first_name%%`, `%%drip:unsubscribe%%`, …) for the
personal values; `compose` substitutes them per patient. Errors: `errors.RenderError` (as
`TemplateError`, with `.file` and `.line`), `errors.HeaderInjectionError`, `errors.InvalidInput`.
"""

from __future__ import annotations

from drip.rendering.catalog import available
from drip.rendering.compiler import TemplateError
from drip.rendering.compose import compose, message_id
from drip.rendering.model import (
    SAMPLE_RECIPIENT,
    Block,
    Links,
    Part,
    Recipient,
    RenderedStep,
    sample_links,
)
from drip.rendering.renderer import Renderer

__all__ = [
    "SAMPLE_RECIPIENT",
    "Block",
    "Links",
    "Part",
    "Recipient",
    "RenderedStep",
    "Renderer",
    "TemplateError",
    "available",
    "compose",
    "message_id",
    "sample_links",
]
