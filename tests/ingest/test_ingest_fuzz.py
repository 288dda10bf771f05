"""Whatever text arrives, a parser gives an article or an ArticleError, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drip import content, errors, ingest

PIECES = st.sampled_from([
    "\n", "\n\n", "# ", "## ", "### ", "- ", "  • ", "**", "<p>", "</p>", "<li>", "<h2>",
    "</h2>", "<b>", "</b>", "<br>", "---\n", "title: x\n", "Causes", "Treatments", "Posted by ",
    "Jane Roe on Feb 11, 2014", "back painThe", "\u00a0", "Rest. ", "heat and ice", "<!--", "]",
])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(PIECES | st.text(max_size=8), max_size=40).map("".join),
    st.sampled_from(ingest.FORMATS),
)
def test_any_text_gives_an_article_or_an_article_error(text: str, format: str) -> None:
    try:
        article = ingest.parse(text, format=format, slug="fuzz")
    except errors.ArticleError as error:
        assert str(error).startswith("article: "), error  # names what it read
        assert any(refusal in str(error) for refusal in REFUSALS), error
        return
    assert isinstance(article, content.Article)
    assert len(set(article.slugs())) == len(article.slugs())
    assert ingest.outline(article)
    assert all(item.title.strip() for section in article.sections for item in section.items)
    # the content JSON, the documented interface, carries the whole tree
    assert content.Article.from_json(article.to_json()) == article


REFUSALS = ("the article is empty", "no article text found")


@pytest.mark.parametrize("format", ingest.FORMATS)
def test_headings_only_give_empty_sections_not_invented_text(format: str) -> None:
    text = {"text": "Title\n\nCauses\n", "html": "<h1>Title</h1><h2>Causes</h2>",
            "markdown": "# Title\n\n## Causes\n"}[format]  # fmt: skip
    article = ingest.parse(text, format=format, slug="h")
    assert [(s.slug, s.body, s.items) for s in article.sections] == [("h/causes", "", ())]
