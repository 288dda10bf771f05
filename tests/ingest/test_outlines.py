"""drip against the outlines written by hand for the corpus (tests/fixtures/outlines/): the
title, the sections and their roles in order, and the causes and treatments each article
lists. `python -m benchmarks.ingest_score` prints the same scores as a table."""

from __future__ import annotations

import re

import pytest

import corpus
from drip import content, ingest

OUTLINES = corpus.outlines()
# What page chrome looks like when it leaks: markup, placeholders, links, share and source lines.
CHROME = re.compile(
    r"\{\{|\{[.#]|\*\[|<\w|https?://|\.php|\bshare this\b|\bsource url\b|\breferences\b"
    r"|\bsubscribe\b|\bbook (?:an appointment|a demo)\b",
    re.IGNORECASE,
)


def outline_params() -> list[object]:
    return [pytest.param(o, id=o.name) for o in OUTLINES]


def test_every_corpus_article_has_an_outline() -> None:
    folder = corpus.require()
    articles = {
        p.name.removesuffix(".fragments") if p.is_dir() else p.stem
        for p in folder.iterdir()
        if not p.name.endswith(".source.txt")
    }
    assert articles == {o.name for o in OUTLINES}


@pytest.mark.parametrize("outline", outline_params())
def test_title_and_sections_with_their_roles(outline: corpus.Outline) -> None:
    article = ingest.read_article(outline.path())
    assert article.title == outline.title
    found = [(corpus.key(s.title), s.role.value) for s in article.sections]
    expected = [(corpus.key(s.title), s.roles) for s in outline.sections]
    assert [title for title, _ in found] == [title for title, _ in expected]
    wrong = [(t, role, roles) for (t, role), (_, roles) in zip(found, expected, strict=True)
             if role not in roles]  # fmt: skip
    assert not wrong, f"(section, role found, roles a reader gives it): {wrong}"


@pytest.mark.parametrize("outline", outline_params())
def test_the_listed_causes_and_treatments(outline: corpus.Outline) -> None:
    article = ingest.read_article(outline.path())
    causes, treatments = corpus.article_score(article, outline)
    assert (causes.extra, causes.missed) == ((), ())
    assert (treatments.extra, treatments.missed) == ((), ())


def test_overall_precision_and_recall() -> None:
    corpus.require()
    total = corpus.Score(found=0, expected=0, matched=0, extra=(), missed=())
    for outline in OUTLINES:
        causes, treatments = corpus.article_score(ingest.read_article(outline.path()), outline)
        total = total + causes + treatments
    assert total.expected >= 80  # guards the bar below against an outline set gone empty
    assert total.precision >= 0.95
    assert total.recall >= 0.85


@pytest.mark.parametrize("outline", outline_params())
def test_no_invented_items_and_no_chrome_in_any_item(outline: corpus.Outline) -> None:
    article = ingest.read_article(outline.path())
    if not outline.causes:
        assert article.listed(content.Role.CAUSES) == []
    if not outline.treatments:
        assert corpus.listed_treatments(article) == []
    for section in article.sections:
        for item in section.items:
            assert not CHROME.search(f"{item.title}\n{item.body}"), item.slug


def test_the_assembled_nhs_page_lists_what_its_fragments_list() -> None:
    folder = corpus.require()
    fragments = ingest.read_article(folder / "08-nhs-slipped-disc.fragments")
    assembled = ingest.read_article(folder / "08-nhs-slipped-disc.md")
    assert fragments.slug == assembled.slug == "08-nhs-slipped-disc"
    assert corpus.listed_causes(assembled) == corpus.listed_causes(fragments)
    assert corpus.listed_treatments(assembled) == corpus.listed_treatments(fragments)


def test_the_manifest_file_reads_like_its_folder() -> None:
    folder = corpus.require() / "08-nhs-slipped-disc.fragments"
    by_file = ingest.read_article(folder / "manifest.json")
    assert by_file.sections == ingest.read_article(folder).sections


def test_drops_are_reported_with_their_lines() -> None:
    article = ingest.read_article(corpus.require() / "08-nhs-slipped-disc.fragments")
    reasons = {u.text: u.reason for u in article.unplaced}
    assert "abbreviation" in reasons["*[A&E]: Accident and Emergency"]
    assert "placeholder" in reasons["{{ findersBaseUrl }}"] or any(
        "link on its own" in r for r in reasons.values()
    )
    assert "attribute" in reasons["{.list--check}"]
    assert all(u.line > 0 for u in article.unplaced)
