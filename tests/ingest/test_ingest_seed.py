"""The seed article, in its three shapes, becomes one and the same tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from drip import content, ingest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "articles" / "back-spasms.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SHAPES = [SEED, FIXTURES / "back-spasms.html", FIXTURES / "back-spasms.md"]

SLUGS = [
    "back-spasms/intro",
    "back-spasms/causes",
    "back-spasms/causes/muscle-injury",
    "back-spasms/causes/bone-encroachment",
    "back-spasms/causes/lumbar-disc-disease",
    "back-spasms/treatments",
    "back-spasms/treatments/heat-and-ice",
    "back-spasms/treatments/medications",
    "back-spasms/treatments/rest",
    "back-spasms/treatments/vertebroplasty-kyphoplasty",
    "back-spasms/treatments/functional-disc-rehydration",
    "back-spasms/closing",
]
CAPTION = "pain study functional disc stabilization"
BLOG = "The Ultimate Back Pain Relief Tips Blog"


@pytest.fixture(scope="module")
def seed() -> content.Article:
    return ingest.read_article(SEED)


def all_text(article: content.Article) -> list[str]:
    texts = []
    for section in article.sections:
        texts += [section.title, section.body]
        texts += [t for item in section.items for t in (item.title, item.body)]
    return texts


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.suffix)
def test_metadata_and_slugs(path: Path) -> None:
    article = ingest.read_article(path)
    assert article.slug == "back-spasms"
    assert article.title == "Causes & Treatments for Back Spasms"
    assert article.author == "Dr. Jeff Winternheimer D.C."
    assert article.date == "2014-02-11"
    assert article.slugs() == SLUGS


@pytest.mark.parametrize("path", SHAPES[1:], ids=lambda p: p.suffix)
def test_html_and_markdown_give_the_same_tree_as_the_text(
    path: Path, seed: content.Article
) -> None:
    assert ingest.read_article(path).sections == seed.sections


def test_sections_roles_and_items(seed: content.Article) -> None:
    assert [(s.role.value, s.title) for s in seed.sections] == [
        ("intro", ""),
        ("causes", "Causes of Back Spasms"),
        ("treatments", "Treatments for Back Spasms"),
        ("closing", ""),
    ]
    assert [i.title for i in seed.items_with_role(content.Role.CAUSES)] == [
        "Muscle Injury", "Bone Encroachment", "Lumbar Disc Disease",
    ]  # fmt: skip
    assert [i.title for i in seed.items_with_role(content.Role.TREATMENTS)] == [
        "Heat and Ice", "Medications", "Rest", "Vertebroplasty/Kyphoplasty",
        "Functional Disc Rehydration",
    ]  # fmt: skip


def test_bodies_are_clean_text(seed: content.Article) -> None:
    intro = seed.find("back-spasms/intro")
    assert isinstance(intro, content.Section)
    assert intro.body.startswith("The structure of your lower back is extremely complex.")
    injury = seed.find("back-spasms/causes/muscle-injury")
    assert isinstance(injury, content.Item)
    assert injury.body == (
        "Lumbar muscle spasms may result from muscle strain. Your muscles can be damaged due to"
        " a sudden movement during highly physical work or while playing sports."
    )
    closing = seed.find("back-spasms/closing")
    assert isinstance(closing, content.Section)
    assert closing.body.startswith("Almost everyone suffers from back spasms at some point")
    assert closing.body.endswith("regardless of what causes it.")


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.suffix)
def test_no_artifact_leaks_into_any_body(path: Path) -> None:
    for text in all_text(ingest.read_article(path)):
        assert "•" not in text
        assert "  " not in text
        assert "\u00a0" not in text
        assert text == text.strip()
        assert CAPTION not in text
        assert BLOG not in text
        assert "spasmsThe" not in text
        assert "Topics" not in text  # HubSpot page chrome


def test_seed_reports_what_it_could_not_place(seed: content.Article) -> None:
    assert [(u.line, u.text) for u in seed.unplaced] == [
        (2, BLOG),
        (8, "back spasms"),
        (18, CAPTION),
    ]
    assert "site name" in seed.unplaced[0].reason
    assert "alt text" in seed.unplaced[1].reason
    assert "caption" in seed.unplaced[2].reason


def test_markdown_reports_the_caption() -> None:
    assert [u.text for u in ingest.read_article(SHAPES[2]).unplaced] == [CAPTION]


def test_the_html_page_reports_the_caption_and_every_piece_of_chrome() -> None:
    unplaced = ingest.read_article(SHAPES[1]).unplaced
    assert [(u.line, u.text) for u in unplaced] == [
        (14, "The Ultimate Back Pain Relief Tips Blog Home Blog Contact Us"),
        (39, CAPTION),
        (51, "Topics: back spasms"),
        (52, "Comments Be the first to comment."),
        (55, "Subscribe by Email"),
        (57, "© 2014 Winternheimer Chiropractic. All rights reserved."),
    ]
    assert all("page chrome" in u.reason for u in unplaced if u.text != CAPTION)


def test_json_schema_keys_are_exact(seed: content.Article) -> None:
    data = seed.to_json()
    assert list(data) == ["schema", "slug", "title", "author", "date", "sections", "unplaced"]
    assert list(data["sections"][1]) == [
        "slug", "title", "role", "confidence", "evidence", "body", "items",
    ]  # fmt: skip
    assert data["sections"][1]["evidence"] == ['the heading says "causes"']
    assert list(data["sections"][1]["items"][0]) == ["slug", "title", "body"]
    assert list(data["unplaced"][0]) == ["line", "text", "reason"]
    assert data["schema"] == content.SCHEMA_VERSION == 1
    assert data["sections"][2]["items"][3]["slug"] == (
        "back-spasms/treatments/vertebroplasty-kyphoplasty"
    )


def test_slug_option_and_format_option(tmp_path: Path) -> None:
    copy = tmp_path / "seed.article"
    copy.write_bytes(SEED.read_bytes())
    article = ingest.read_article(copy, format="text", slug="spasms")
    assert article.slugs()[0] == "spasms/intro"
    assert article.source == str(copy)


OUTLINE = """\
Causes & Treatments for Back Spasms
by Dr. Jeff Winternheimer D.C., 2014-02-11

[intro] back-spasms/intro
    The structure of your lower back is extremely complex. It contains …
[causes] back-spasms/causes  'Causes of Back Spasms'
  - back-spasms/causes/muscle-injury  'Muscle Injury'
      Lumbar muscle spasms may result from muscle strain. Your muscles can …
  - back-spasms/causes/bone-encroachment  'Bone Encroachment'
      Growth or movement of the vertebrae may constrict the spinal cord and …
  - back-spasms/causes/lumbar-disc-disease  'Lumbar Disc Disease'
      Nerves may be irritated by age-related degeneration of the outer rings …
[treatments] back-spasms/treatments  'Treatments for Back Spasms'
  - back-spasms/treatments/heat-and-ice  'Heat and Ice'
      The use of hot and cold compresses can help to reduce inflammation and …
  - back-spasms/treatments/medications  'Medications'
      Over the counter non-steroidal anti-inflammatory drugs such as aspirin …
  - back-spasms/treatments/rest  'Rest'
      Rest may be helpful for some who suffer from back spasms, but not for …
  - back-spasms/treatments/vertebroplasty-kyphoplasty  'Vertebroplasty/Kyphoplasty'
      In both procedures, an epoxy is injected into the vertebrae to …
  - back-spasms/treatments/functional-disc-rehydration  'Functional Disc Rehydration'
      If you suffer from chronic back spasms caused by disc degeneration, …
[closing] back-spasms/closing
    Almost everyone suffers from back spasms at some point, whether from …

Unplaced (3):
  line 2: The Ultimate Back Pain Relief Tips Blog — the blog or site name, not article content
  line 8: back spasms — image alt text glued to the start of a paragraph (it repeats words \
of the title)
  line 18: pain study functional disc stabilization — looks like an image caption (a short \
line with no sentence punctuation); fits no item"""


def test_outline(seed: content.Article) -> None:
    assert ingest.outline(seed) == OUTLINE


def test_the_seed_without_its_credit_line_gives_the_same_article(seed: content.Article) -> None:
    raw = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    article = ingest.parse(raw, format="text", slug="back-spasms")
    assert article.sections == seed.sections
    assert (article.title, article.author, article.date) == (seed.title, seed.author, seed.date)
    assert [(u.line, u.text) for u in article.unplaced] == [
        (1, BLOG),
        (7, "back spasms"),
        (17, CAPTION),
    ]


def test_a_hubspot_page_with_the_blog_name_in_h1_gives_the_same_tree(
    seed: content.Article,
) -> None:
    page = ingest.read_article(FIXTURES / "back-spasms.hubspot.html", slug="back-spasms")
    assert (page.title, page.author, page.date) == (seed.title, seed.author, seed.date)
    assert page.sections == seed.sections
    assert len(page.items_with_role(content.Role.CAUSES)) == 3
    assert len(page.items_with_role(content.Role.TREATMENTS)) == 5
    dropped = {u.text: u.reason for u in page.unplaced}
    assert "above the article's title" in dropped[BLOG]
    assert "share" in dropped["Share this post: Twitter · Facebook"]
