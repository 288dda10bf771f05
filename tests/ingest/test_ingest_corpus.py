"""Real clinic articles in other shapes (tests/fixtures/articles/corpus, credits in *.source.txt):
the parsers must not crash, must not invent, and should find the obvious roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from drip import content, ingest

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "corpus"
ARTICLES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".source.txt"))

# Roles a reader finds at a glance in each article; more may be found, these must be.
EXPECTED = {
    "01-macleod-low-back-pain": {"intro", "causes", "treatments"},
    "02-droitwich-back-pain": {"treatments", "other"},
    "03-clinic27-main-reasons-lower-back-pain": {"intro", "causes", "closing"},
    "04-annamalai-back-neck-pain": {"intro", "causes", "treatments"},
    "05-bodywise-whiplash": {"intro", "causes", "treatments"},
    "06-bodywise-lbp-intervention": {"intro", "treatments"},
    "07-healthline-back-pain": {"causes", "treatments"},
    "08-nhs-slipped-disc": {"intro", "causes", "treatments"},
    "09-wellness-companion-neck-pain": {"intro", "causes", "treatments"},
    "10-thriive-sciatica": {"intro", "causes"},
    "11-medlineplus-back-pain": set(),  # no headings at all: everything is unplaced
}


def test_every_corpus_article_has_expectations() -> None:
    assert {p.stem for p in ARTICLES} == set(EXPECTED)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_corpus_article_parses_into_sensible_roles(path: Path) -> None:
    article = ingest.read_article(path)
    roles = {s.role.value for s in article.sections}
    assert EXPECTED[path.stem] <= roles
    if EXPECTED[path.stem]:
        assert article.sections
    else:
        assert article.sections == ()
        assert article.unplaced
    assert len(set(article.slugs())) == len(article.slugs())
    for section in article.sections:
        assert section.slug.startswith(f"{path.stem}/")
        assert all(item.slug.startswith(f"{section.slug}/") for item in section.items)
        assert "\u00a0" not in section.body and "  " not in section.body


def test_items_under_a_treatment_heading() -> None:
    article = ingest.read_article(CORPUS / "01-macleod-low-back-pain.md")
    titles = [i.title for i in article.items_with_role(content.Role.TREATMENTS)]
    assert titles[:4] == [
        "Rehabilitative Exercise", "Acupuncture", "Platelet-Rich Plasma (PRP)",
        "Neural Prolotherapy",
    ]  # fmt: skip


def test_html_items_from_h3_and_php_template_noise_ignored() -> None:
    article = ingest.read_article(CORPUS / "09-wellness-companion-neck-pain.html")
    assert article.title == "Neck Pain"
    causes = article.items_with_role(content.Role.CAUSES)
    assert [i.slug for i in causes][:2] == [
        "09-wellness-companion-neck-pain/causes/muscle-strain",
        "09-wellness-companion-neck-pain/causes/whiplash",
    ]
    assert len(causes) == 7
    assert all("php" not in s.body for s in article.sections)


def test_bold_lines_as_headings_in_a_bare_wordpress_fragment() -> None:
    article = ingest.read_article(CORPUS / "10-thriive-sciatica.html")
    causes = article.sections_with_role(content.Role.CAUSES)
    assert [s.title for s in causes] == ["Causes of sciatica"]
    risk = article.find("10-thriive-sciatica/risk-factors-of-sciatica")
    assert isinstance(risk, content.Section)
    assert [i.title for i in risk.items] == [
        "Age", "Obesity", "Nature of job", "Lengthened sitting", "Diabetes",
    ]  # fmt: skip
