"""Real clinic articles in other shapes (../shared/corpus, credits in *.source.txt): the parsers
must not crash, must not invent, and keep their slugs unique and their bodies clean."""

from __future__ import annotations

import pytest

import corpus
from drip import content, ingest


@pytest.mark.parametrize("outline", [pytest.param(o, id=o.name) for o in corpus.outlines()])
def test_corpus_article_parses_with_unique_slugs_and_clean_bodies(outline: corpus.Outline) -> None:
    article = ingest.read_article(outline.path())
    assert article.sections
    assert len(set(article.slugs())) == len(article.slugs())
    for section in article.sections:
        assert section.slug.startswith(f"{outline.name}/")
        assert all(item.slug.startswith(f"{section.slug}/") for item in section.items)
        assert "\u00a0" not in section.body and "  " not in section.body
        assert 0 < section.confidence <= 1 and section.evidence


def test_items_under_a_treatment_heading() -> None:
    article = ingest.read_article(corpus.require() / "01-macleod-low-back-pain.md")
    titles = [i.title for i in article.items_with_role(content.Role.TREATMENTS)]
    assert titles == [
        "Rehabilitative Exercise", "Acupuncture", "Platelet-Rich Plasma (PRP)",
        "Neural Prolotherapy",
    ]  # fmt: skip
    reasons = [u.reason for u in article.unplaced]
    assert any("reference list" in r for r in reasons)
    assert any("citation marker" in r for r in reasons)


def test_html_items_from_h3_and_php_template_noise_ignored() -> None:
    article = ingest.read_article(corpus.require() / "09-wellness-companion-neck-pain.html")
    assert article.title == "Neck Pain"
    causes = article.items_with_role(content.Role.CAUSES)
    assert [i.slug for i in causes][:2] == [
        "09-wellness-companion-neck-pain/causes/muscle-strain",
        "09-wellness-companion-neck-pain/causes/whiplash",
    ]
    assert len(causes) == 7
    assert all("php" not in s.body for s in article.sections)
    assert any(u.text == "Book a demo session now" for u in article.unplaced)


def test_bold_lines_as_headings_in_a_bare_wordpress_fragment() -> None:
    article = ingest.read_article(corpus.require() / "10-thriive-sciatica.html")
    causes = article.sections_with_role(content.Role.CAUSES)
    assert [s.title for s in causes] == ["Causes of sciatica", "Risk factors of Sciatica"]
    risk = article.find("10-thriive-sciatica/risk-factors-of-sciatica")
    assert isinstance(risk, content.Section)
    assert [i.title for i in risk.items] == [
        "Age", "Obesity", "Nature of job", "Lengthened sitting", "Diabetes",
    ]  # fmt: skip
    assert "the article lists no causes elsewhere" in risk.evidence
    prevention = article.find("10-thriive-sciatica/prevention")
    assert isinstance(prevention, content.Section)
    assert [i.title for i in prevention.items] == [
        "Regular exercise", "Maintain a proper sitting posture", "Practice good body mechanism",
    ]  # fmt: skip
