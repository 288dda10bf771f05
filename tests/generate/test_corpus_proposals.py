"""Every corpus article either gets a proposal that `drip check` accepts, whose tips go from
conservative to invasive care, or stops with the clear message when it lists no causes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

import corpus
from drip import content, generate, ingest, topics
from drip.cli import main
from drip.generate import care, relevance
from drip.service import checking

REPO = Path(__file__).resolve().parents[2]
# What a proposal leaves for the marketer: the clinic's details, which drip cannot know.
PLACEHOLDERS = [
    "clinic.name", "clinic.from", "clinic.postal_address", "clinic.booking_url", "clinic.base_url",
]  # fmt: skip


def only_placeholders(report: checking.CheckReport) -> bool:
    return [p.where for p in report.problems] == PLACEHOLDERS


def has_tips(outline: corpus.Outline) -> bool:
    """Whether the article has something to make tips of: listed treatments or self-care, or
    a section about treatment."""
    return bool(outline.treatments) or any(
        role in ("treatments", "self-care")
        for section in outline.sections
        for role in section.roles
    )


def outline_params(*, with_tips: bool = False) -> list[object]:
    """Every corpus outline; `with_tips`: those of articles with something to make tips of."""
    return [pytest.param(o, id=o.name) for o in corpus.outlines() if has_tips(o) or not with_tips]


@pytest.mark.parametrize("outline", outline_params())
def test_a_valid_proposal_or_the_clear_message(outline: corpus.Outline, tmp_path: Path) -> None:
    """As the marketer runs it: `drip generate ARTICLE -o FILE` (a fragments folder too)."""
    path = outline.path()
    target = tmp_path / "sequences.yaml"
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(target)])
    if not outline.causes or not has_tips(outline):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and not target.exists()
        said = " ".join(result.output.split())
        if not outline.causes:
            assert said.startswith("drip: ") and f"{path.name}: no list of causes found" in said
        if has_tips(outline):
            assert "with `--single`" in said
        else:  # no sequence of welcomes alone, with or without --single
            assert "nothing to make tips of" in said
        return
    assert result.exit_code == 0, result.output
    report = checking.check(sequences_path=target, templates_dir=REPO / "templates" / "emails")
    assert only_placeholders(report), report.problems
    assert report.warnings == []
    assert report.sequences == len(outline.causes) + 1


@pytest.mark.parametrize("outline", outline_params())
def test_single_always_gives_one_valid_general_sequence(
    outline: corpus.Outline, tmp_path: Path
) -> None:
    path = outline.path()
    if not has_tips(outline):
        with pytest.raises(generate.NoTips, match="nothing to make tips of"):
            generate.propose(ingest.read_article(path), article_path=str(path), single=True)
        return
    text = generate.propose(ingest.read_article(path), article_path=str(path), single=True)
    target = tmp_path / "sequences.yaml"
    target.write_text(text, encoding="utf-8")
    report = checking.check(sequences_path=target, templates_dir=REPO / "templates" / "emails")
    assert only_placeholders(report), report.problems
    assert report.warnings == []
    assert report.sequences == 1


@pytest.mark.parametrize("outline", outline_params(with_tips=True))
def test_conservative_care_before_invasive_care_in_every_sequence(
    outline: corpus.Outline,
) -> None:
    article = ingest.read_article(outline.path())
    data = YAML(typ="safe").load(generate.propose(article, article_path="a", single=True))
    if outline.causes:
        data["sequences"].update(
            YAML(typ="safe").load(generate.propose(article, article_path="a"))["sequences"]
        )
    entries = {e.slug: e for e in relevance.treatments(article)}
    for cause, sequence in data["sequences"].items():
        tips = [entries[s["content"][0]] for s in sequence["steps"] if s["id"] != "welcome"
                and s["content"][0] in entries]  # fmt: skip
        kinds = [care.classify(t.title, t.body).care for t in tips]
        invasive = [k.invasive for k in kinds]
        assert invasive == sorted(invasive), f"{cause}: {kinds}"
        if tips and not all(invasive):
            assert not invasive[0], f"{cause}: a procedure or surgery first"


@pytest.mark.parametrize("outline", outline_params())
def test_the_topic_comes_from_the_article(outline: corpus.Outline) -> None:
    article = ingest.read_article(outline.path())
    assert topics.of(article) == outline.topic
    if outline.causes and has_tips(outline):
        text = generate.propose(article, article_path="a")
        assert YAML(typ="safe").load(text)["topic"] == outline.topic
        assert "back spasms" not in text.lower()  # none of the corpus is about back spasms


def test_the_seed_puts_its_procedure_last_even_where_it_is_the_most_relevant() -> None:
    article = ingest.read_article(REPO / "articles" / "back-spasms.txt")
    bone = article.find("back-spasms/causes/bone-encroachment")
    assert isinstance(bone, content.Item)
    assert relevance.rank_treatments(article, bone)[0].item.title == "Vertebroplasty/Kyphoplasty"
    data = YAML(typ="safe").load(generate.propose(article, article_path="a"))
    for sequence in data["sequences"].values():
        assert [s["id"] for s in sequence["steps"]][-2:] == [
            "vertebroplasty-kyphoplasty", "closing",
        ]  # fmt: skip
