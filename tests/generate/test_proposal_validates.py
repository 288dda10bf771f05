"""A proposal is a valid sequences.yaml: `drip check` finds nothing to fix in it."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta
from pathlib import Path

import pytest

import seed_data
from drip import content, generate, ingest, sequences, sequences_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.name for p in (ROOT / "templates" / "emails").iterdir())


@pytest.mark.parametrize("clinic", [None, "given"])
def test_the_seed_proposal_loads_without_problems(
    seed: content.Article, clinic: str | None
) -> None:
    given = seed_data.CLINIC
    text = generate.propose(
        seed, article_path="articles/back-spasms.txt", clinic=given if clinic else None
    )
    plan = sequences_yaml.load(text, file="sequences.yaml", article=seed, templates=TEMPLATES)
    assert plan.clinic == (given if clinic else generate.PLACEHOLDER_CLINIC)
    assert plan.window == sequences.SendWindow(
        days=frozenset(range(5)), start=time(9), end=time(18)
    )
    assert plan.on_cause_change is sequences.CauseChange.SWITCH
    assert plan.confirmation_template == "confirm.mjml.j2"
    assert [c.slug for c in plan.causes] == [
        "muscle-injury",
        "bone-encroachment",
        "lumbar-disc-disease",
        "not-sure",
    ]
    steps = plan.sequences["lumbar-disc-disease"].steps
    assert steps[1] == sequences.Step(
        id="functional-disc-rehydration",
        after=timedelta(days=2),
        template="tip.mjml.j2",
        subject="Back spasms: functional disc rehydration",
        preheader="Traction and compression are used to replenish the discs.",
        content=("back-spasms/treatments/functional-disc-rehydration",),
    )
    assert [s.after for s in steps] == [timedelta(0)] + [timedelta(days=2)] * 5 + [
        timedelta(days=3)
    ]


SEED_CLINIC = seed_data.CLINIC


def _real_proposal() -> tuple[content.Article, str]:
    path = "articles/back-spasms.txt"
    article = ingest.read_article(ROOT / path)
    return article, generate.propose(article, article_path=path, clinic=SEED_CLINIC)


def test_the_real_article_parses_to_the_tree_these_tests_build(seed: content.Article) -> None:
    article, _ = _real_proposal()
    assert article.sections == seed.sections


def test_the_real_articles_proposal_loads_without_problems() -> None:
    article, text = _real_proposal()
    plan = sequences_yaml.load(text, file="sequences.yaml", article=article, templates=TEMPLATES)
    assert plan.clinic == SEED_CLINIC
    assert plan.article == "articles/back-spasms.txt"


def test_the_committed_sequences_yaml_loads_without_problems() -> None:
    # It starts as the proposal; the clinic edits it from then on, so only validity is pinned.
    article, _ = _real_proposal()
    text = (ROOT / "sequences.yaml").read_text(encoding="utf-8")
    plan = sequences_yaml.load(text, file="sequences.yaml", article=article, templates=TEMPLATES)
    assert plan.clinic == dataclasses.replace(
        SEED_CLINIC,
        phone="+1 217 555 0142",
        website="https://winternheimer-chiro.example",
        signature=sequences.Signature(name="Dr. Jeff Winternheimer", role="Chiropractor, D.C."),
    )
    assert set(plan.sequences) == {c.slug for c in plan.causes}
