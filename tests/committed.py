"""The committed project as test data: sequences.yaml, its article and the real templates,
every step rendered and composed for the sample patient, as `drip check` and a send do.

Used by the browser, deliverability and style tests (imported by name: tests/ is on the path).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from drip import ingest, rendering, sequences, sequences_yaml
from drip.service import check_emails

REPO = Path(__file__).resolve().parents[1]
SEQUENCES = REPO / "sequences.yaml"
TEMPLATES = REPO / "templates" / "emails"


@dataclass(frozen=True, kw_only=True)
class Email:
    name: str  # "muscle-injury/heat-and-ice", or "opt-in"
    rendered: rendering.RenderedStep
    message: EmailMessage

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@functools.cache
def plan() -> tuple[sequences.Plan, rendering.Renderer]:
    text = SEQUENCES.read_text(encoding="utf-8")
    article = ingest.read_article(SEQUENCES.parent / sequences_yaml.load(text, file="x").article)
    loaded = sequences_yaml.load(text, file=str(SEQUENCES), article=article)
    return loaded, rendering.Renderer(plan=loaded, article=article, templates=TEMPLATES)


@functools.cache
def emails() -> tuple[Email, ...]:
    """Every committed step of every sequence, then the opt-in email."""
    loaded, renderer = plan()
    found = [
        (f"{cause}/{step.id}", renderer.step(cause, step.id))
        for cause, sequence in loaded.sequences.items()
        for step in sequence.steps
    ]
    found.append(("opt-in", renderer.confirmation()))
    return tuple(
        Email(
            name=name,
            rendered=rendered,
            message=check_emails.compose(loaded, rendered, first_name="Sam"),
        )
        for name, rendered in found
    )
