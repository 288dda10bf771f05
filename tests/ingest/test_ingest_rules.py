"""The general rules behind the parsers, each on a small article of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from drip import content, errors, ingest
from drip.ingest import meta, roles

Role = content.Role


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Causes of Back Spasms", Role.CAUSES),
        ("What Causes Sciatica?", Role.CAUSES),
        ("Main Reasons of Lower Back Pain", Role.CAUSES),
        ("Why does my back hurt?", Role.CAUSES),
        ("Treatments for Back Spasms", Role.TREATMENTS),
        ("Physical Therapy", Role.TREATMENTS),
        ("Home Remedies", Role.SELF_CARE),
        ("How you can ease the pain yourself", Role.SELF_CARE),
        ("Pain Relief", Role.TREATMENTS),
        ("Management", Role.TREATMENTS),
        ("What helps", Role.TREATMENTS),
        ("Causes and Treatment", Role.CAUSES),
        ("Treatment and its causes", Role.TREATMENTS),
        ("Conclusion", Role.CLOSING),
        ("The Bottom Line", Role.CLOSING),
        ("Final thoughts", Role.CLOSING),
        ("The Main Reasons for Lower Back Pain – Conclusion", Role.CLOSING),
        ("Summary", Role.CLOSING),
        ("Symptoms", Role.SYMPTOMS),
        ("Risk factors of Sciatica", Role.RISK_FACTORS),
        ("To help prevent slipped discs", Role.PREVENTION),
        ("Back pain diagnosis", Role.DIAGNOSIS),
        ("Back pain symptoms that may indicate a serious problem", Role.SEE_A_DOCTOR),
        ("See a GP urgently or go to A&E", Role.SEE_A_DOCTOR),
        ("Becausewhy", Role.OTHER),
    ],
)
def test_role_from_heading_words(heading: str, role: Role) -> None:
    assert roles.role_for(heading) is role


MD = """\
# Neck Pain

Neck pain is common.

## Causes

- **Poor Posture:** Slouching at a desk strains the neck.
- **Osteoporosis** and arthritis
- Whiplash

## Treatments

### Exercise

Gentle stretches help.

## Conclusion

See us soon.
"""


def test_markdown_items_labels_and_conclusion_heading() -> None:
    article = ingest.parse(MD, format="markdown", slug="neck")
    assert article.title == "Neck Pain"
    assert [(s.slug, s.role) for s in article.sections] == [
        ("neck/intro", Role.INTRO),
        ("neck/causes", Role.CAUSES),
        ("neck/treatments", Role.TREATMENTS),
        ("neck/closing", Role.CLOSING),
    ]
    causes = article.sections[1]
    # Plain entries are items too; bold that runs on into the sentence is emphasis, not a label.
    assert [(i.title, i.body) for i in causes.items] == [
        ("Poor Posture", "Slouching at a desk strains the neck."),
        ("Osteoporosis and arthritis", ""),
        ("Whiplash", ""),
    ]
    assert causes.body == ""
    exercise = content.Item(
        slug="neck/treatments/exercise", title="Exercise", body="Gentle stretches help."
    )
    assert article.sections[2].items == (exercise,)
    assert article.sections[3].title == "Conclusion"
    assert article.sections[3].body == "See us soon."


def test_front_matter_gives_title_author_date_and_is_not_content() -> None:
    text = (
        '---\ntitle: "Sciatica"\nauthor: Jane Roe\ndate: 2020-03-04\n---\n'
        "Intro.\n\n## Causes\n\nDiscs.\n"
    )
    article = ingest.parse(text, format="markdown", slug="s")
    assert (article.title, article.author, article.date) == ("Sciatica", "Jane Roe", "2020-03-04")
    assert [s.body for s in article.sections] == ["Intro.", "Discs."]
    assert article.unplaced == ()


def test_html_bold_paragraph_labels_and_h3_items() -> None:
    html = """<html><body><article><h1>Sciatica</h1>
    <p>By Jane Roe | March 4, 2020</p>
    <p>Intro text.</p>
    <h2>What causes it</h2>
    <p><b>Age: </b><span>Spines change.</span></p>
    <h2>Relief</h2><h3>Rest</h3><p>Rest a little.</p><h3>Heat</h3><p>Warm it.</p>
    </article><footer><h2>Contact</h2></footer></body></html>"""
    article = ingest.parse(html, format="html", slug="s")
    assert (article.title, article.author, article.date) == ("Sciatica", "Jane Roe", "2020-03-04")
    assert article.slugs() == [
        "s/intro", "s/causes", "s/causes/age", "s/treatments", "s/treatments/rest",
        "s/treatments/heat",
    ]  # fmt: skip
    assert article.find("s/causes/age") == content.Item(
        slug="s/causes/age", title="Age", body="Spines change."
    )


def test_glued_text_is_split_only_when_it_repeats_the_title() -> None:
    text = "Neck Pain\n\nneck painYour neck is delicate.\n\nCauses\n\nsee alsoThe notes. Here.\n"
    article = ingest.parse(text, format="text", slug="n")
    assert article.sections[0].body == "Your neck is delicate."
    assert article.sections[1].body == "see alsoThe notes. Here."
    assert [(u.line, u.text) for u in article.unplaced] == [(3, "neck pain")]


def test_a_second_section_with_the_same_role_is_keyed_by_its_title() -> None:
    text = "# T\n\n## Causes\n\nOne.\n\n## Other causes\n\nTwo.\n\n## Other causes\n\nThree.\n"
    article = ingest.parse(text, format="markdown", slug="t")
    assert [s.slug for s in article.sections] == [
        "t/causes", "t/other-causes", "t/other-causes-2",
    ]  # fmt: skip


def test_text_without_headings_is_all_intro_and_nothing_is_listed() -> None:
    text = "Back pain is common. It has many causes.\n\nRest helps. So does heat.\n"
    article = ingest.parse(text, format="text", slug="b")
    assert [(s.slug, s.role, s.items) for s in article.sections] == [("b/intro", Role.INTRO, ())]
    assert article.sections[0].body == text.strip()
    assert article.listed(Role.CAUSES) == article.listed(Role.TREATMENTS) == []
    assert article.unplaced == ()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the article is empty"),
        ("blank.md", b"  \n\n \t\n", "the article is empty"),
        ("garbage.txt", bytes(range(256)) * 4, "binary file"),
        ("latin1.txt", "Caf\u00e9 au lait\n".encode("latin-1"), "not UTF-8"),
        ("nobody.html", b"<html><head><title>T</title></head></html>", "no article text"),
        ("chrome.html", b"<body><nav>Home</nav><footer>(c)</footer></body>", "no article text"),
        ("article.docx", b"PK\x03\x04", "cannot tell the article format"),
    ],
)
def test_unreadable_articles_raise_article_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(errors.ArticleError, match=message) as caught:
        ingest.read_article(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(errors.ArticleError, match="cannot read the article"):
        ingest.read_article(tmp_path / "missing.txt")
    with pytest.raises(errors.ArticleError, match="missing: cannot read the article: No such"):
        ingest.read_article(tmp_path / "missing")  # not "cannot tell the format"
    with pytest.raises(errors.ArticleError, match=r"a folder without a manifest\.json"):
        ingest.read_article(tmp_path)
    with pytest.raises(errors.ArticleError, match="unknown article format 'pdf'"):
        ingest.parse("text", format="pdf", slug="x")


@pytest.mark.parametrize(
    ("text", "author", "date"),
    [
        ("Posted by Dr. Jeff Winternheimer D.C. on Tue, Feb 11, 2014 @ 02:24 PM",
         "Dr. Jeff Winternheimer D.C.", "2014-02-11"),
        ("By Jane Roe | 3 March 2020", "Jane Roe", "2020-03-03"),
        ("Written by Sam Poe", "Sam Poe", None),
    ],
)  # fmt: skip
def test_bylines(text: str, author: str, date: str | None) -> None:
    assert meta.byline(text) == meta.Byline(author=author, date=date)


def test_a_sentence_starting_with_by_is_not_a_byline() -> None:
    assert meta.byline("by the way, rest helps.") is None
