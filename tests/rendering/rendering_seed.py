"""Sample data for rendering tests: the seed post as an Article and a Plan built directly.

Used by tests/rendering (imported by name) and tests/browser (loaded by path).
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

from drip import content, sequences

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates" / "emails"
SEED = Path("/work/shared/seed/back-spasms.txt")
BULLET = "  • "
# A list in the closing section, so list rendering is exercised on real-looking text.
CLOSING_LIST = "\n\nWhat helps most:\n- a correct diagnosis\n- a plan made for you"

CLINIC = sequences.Clinic(
    name="Winternheimer Chiropractic",
    from_address="Winternheimer Chiropractic <tips@winternheimer-chiro.example>",
    reply_to="frontdesk@winternheimer-chiro.example",
    postal_address="1200 Main Street, Suite 4, Springfield, IL 62701, USA",
    booking_url="https://winternheimer-chiro.example/book",
    base_url="https://tips.winternheimer-chiro.example",
    timezone="America/Chicago",
)
CAUSES = (
    sequences.Cause(slug="muscle-injury", label="A muscle injury (strain from sport or work)"),
    sequences.Cause(slug="lumbar-disc-disease", label="Lumbar disc disease (wear of the discs)"),
)


def _items(lines: list[str], section: str) -> tuple[content.Item, ...]:
    items = []
    for number, line in enumerate(lines):
        if line.startswith(BULLET):
            title = line.removeprefix(BULLET).strip()
            slug = f"{section}/{content.slugify(title)}"
            body = " ".join(lines[number + 1].split())
            items.append(content.Item(slug=slug, title=title, body=body))
    return tuple(items)


def seed_article() -> content.Article:
    """The seed post as a content tree (intro, causes, treatments, closing), real text."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = {line: n for n, line in enumerate(lines)}
    causes_at, treatments_at = start["Causes of Back Spasms"], start["Treatments for Back Spasms"]
    intro = next(line for line in lines if line.startswith("back spasmsThe structure"))
    closing = next(line for line in lines if line.startswith("Almost everyone"))
    a = "back-spasms"

    def section(key: str, title: str, role: content.Role, **kw: object) -> content.Section:
        return content.Section(slug=f"{a}/{key}", title=title, role=role, **kw)  # type: ignore[arg-type]

    return content.Article(
        slug=a,
        title="Causes & Treatments for Back Spasms",
        author="Dr. Jeff Winternheimer D.C.",
        date="2014-02-11",
        sections=(
            section(
                "intro", "Back spasms", content.Role.INTRO, body=intro.removeprefix("back spasms")
            ),
            section(
                "causes",
                "Causes of Back Spasms",
                content.Role.CAUSES,
                body="",
                items=_items(lines[causes_at:treatments_at], f"{a}/causes"),
            ),
            section(
                "treatments",
                "Treatments for Back Spasms",
                content.Role.TREATMENTS,
                body="",
                items=_items(lines[treatments_at:], f"{a}/treatments"),
            ),
            section("closing", "The good news", content.Role.CLOSING, body=closing + CLOSING_LIST),
        ),
        source=str(SEED),
    )


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
