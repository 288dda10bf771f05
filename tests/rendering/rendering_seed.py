"""Sample data for rendering tests: the seed post as an Article and a Plan built directly.

Used by tests/rendering (imported by name) and tests/browser (loaded by path).
"""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from pathlib import Path

import seed_data
from drip import content, sequences

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates" / "emails"
# A list in the closing section, so list rendering is exercised on real-looking text.
CLOSING_LIST = "\n\nWhat helps most:\n- a correct diagnosis\n- a plan made for you"

CLINIC = seed_data.CLINIC
CAUSES = (
    sequences.Cause(slug="muscle-injury", label="A muscle injury (strain from sport or work)"),
    sequences.Cause(slug="lumbar-disc-disease", label="Lumbar disc disease (wear of the discs)"),
)


def seed_article() -> content.Article:
    """The seed post (tests/seed_data.py), with titles on the intro and the closing and a list
    in the closing, so the templates' headings and lists are exercised too."""
    article = seed_data.seed_article()
    titles = {content.Role.INTRO: "Back spasms", content.Role.CLOSING: "The good news"}
    sections = tuple(
        dataclasses.replace(
            section,
            title=titles.get(section.role, section.title),
            body=section.body + (CLOSING_LIST if section.role is content.Role.CLOSING else ""),
        )
        for section in article.sections
    )
    return dataclasses.replace(article, sections=sections, _index={})


def _step(step_id: str, template: str, days: int, *refs: str) -> sequences.Step:
    return sequences.Step(
        id=step_id,
        after=timedelta(days=days),
        template=template,
        subject=f"Back-care tip: {step_id.replace('-', ' ')}",
        preheader=f"A short read about {step_id.replace('-', ' ')}, from your chiropractor.",
        content=tuple(f"back-spasms/{ref}" for ref in refs),
    )


def seed_plan() -> sequences.Plan:
    muscle = (
        _step("welcome", "welcome.mjml.j2", 0, "intro", "causes/muscle-injury"),
        _step("heat-and-ice", "tip.mjml.j2", 2, "treatments/heat-and-ice"),
        _step("rest", "tip.mjml.j2", 3, "treatments/rest"),
        _step("closing", "closing.mjml.j2", 3, "closing"),
    )
    disc = (
        _step("welcome", "welcome.mjml.j2", 0, "intro", "causes/lumbar-disc-disease"),
        _step("treatments", "tip.mjml.j2", 2, "treatments"),
        _step("closing", "closing.mjml.j2", 3, "closing"),
    )
    return sequences.Plan(
        article="articles/back-spasms.txt",
        clinic=CLINIC,
        causes=CAUSES,
        window=sequences.SendWindow(days=frozenset(range(6)), start=time(8), end=time(20)),
        on_cause_change=sequences.CauseChange.SWITCH,
        confirmation_template="confirm.mjml.j2",
        confirmation_subject="Please confirm: back-care tips from Winternheimer Chiropractic",
        sequences={
            "muscle-injury": sequences.Sequence(cause="muscle-injury", steps=muscle),
            "lumbar-disc-disease": sequences.Sequence(cause="lumbar-disc-disease", steps=disc),
        },
    )


def all_steps(plan: sequences.Plan) -> list[tuple[str, str]]:
    """Every (cause, step id) of the plan."""
    return [(cause, s.id) for cause, seq in plan.sequences.items() for s in seq.steps]
