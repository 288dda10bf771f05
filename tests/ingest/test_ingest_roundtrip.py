"""JSON round trip: `Article.from_json(a.to_json())` gives the article back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import corpus
from drip import content, ingest

ROOT = Path(__file__).resolve().parents[2]
text = st.text(max_size=40)


@st.composite
def articles(draw: st.DrawFn) -> content.Article:
    sections = []
    for n in range(draw(st.integers(0, 4))):
        slug = f"a/s{n}"
        items = tuple(
            content.Item(slug=f"{slug}/i{m}", title=draw(text), body=draw(text))
            for m in range(draw(st.integers(0, 3)))
        )
        sections.append(content.Section(
            slug=slug, title=draw(text), role=draw(st.sampled_from(content.Role)),
            body=draw(text), items=items,
        ))  # fmt: skip
    unplaced = draw(st.lists(st.builds(content.Unplaced, line=st.integers(1), text=text,
                                       reason=text), max_size=3))  # fmt: skip
    return content.Article(
        slug="a", title=draw(text), author=draw(st.none() | text),
        date=draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        sections=tuple(sections), unplaced=tuple(unplaced),
    )  # fmt: skip


@given(articles())
def test_json_round_trip(article: content.Article) -> None:
    assert content.Article.from_json(article.to_json()) == article


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "articles" / "back-spasms.txt",
        ROOT / "tests" / "fixtures" / "articles" / "back-spasms.html",
        "07-healthline-back-pain.md",
    ],
    ids=lambda p: p if isinstance(p, str) else p.name,
)
def test_parsed_articles_round_trip(path: Path | str) -> None:
    article = ingest.read_article(path if isinstance(path, Path) else corpus.require() / path)
    # from_json has no `source` (the JSON does not carry it).
    expected = dataclasses.replace(article, source="", _index={})
    back = content.Article.from_json(article.to_json())
    assert back == expected
    assert [(s.confidence, s.evidence) for s in back.sections] == [
        (s.confidence, s.evidence) for s in article.sections
    ]
