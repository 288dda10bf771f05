"""`generate.propose`: the sequences.yaml text proposed for an article."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

import seed_data
from drip import content, generate
from drip.generate import yamltext
from seed_data import seed_article

PATH = "articles/back-spasms.txt"
CLINIC = seed_data.CLINIC
TIPS = {
    "muscle-injury": [
        "rest",
        "heat-and-ice",
        "medications",
        "functional-disc-rehydration",
        "vertebroplasty-kyphoplasty",
    ],
    "bone-encroachment": [
        "vertebroplasty-kyphoplasty",
        "functional-disc-rehydration",
        "heat-and-ice",
        "medications",
        "rest",
    ],
    "lumbar-disc-disease": [
        "functional-disc-rehydration",
        "vertebroplasty-kyphoplasty",
        "heat-and-ice",
        "medications",
        "rest",
    ],
    "not-sure": [
        "functional-disc-rehydration",
        "vertebroplasty-kyphoplasty",
        "rest",
        "heat-and-ice",
        "medications",
    ],
}


def load(text: str) -> Any:
    return YAML(typ="safe").load(io.StringIO(text))


@pytest.fixture
def proposal(seed: content.Article) -> str:
    return generate.propose(seed, article_path=PATH, clinic=CLINIC)


def test_same_article_gives_byte_identical_text(proposal: str) -> None:
    assert generate.propose(seed_article(), article_path=PATH, clinic=CLINIC) == proposal


def test_top_level_structure(proposal: str) -> None:
    data = load(proposal)
    assert data["version"] == 1
    assert data["article"] == PATH
    assert data["on_cause_change"] == "switch"
    assert data["send_window"] == {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "18:00",
        "first_step": "in-window",
    }
    assert data["confirmation"] == {
        "template": "confirm.mjml.j2",
        "subject": "Please confirm: tips on back spasms from Winternheimer Chiropractic",
    }
    assert data["causes"] == [
        {"slug": "muscle-injury", "label": "Muscle injury"},
        {"slug": "bone-encroachment", "label": "Bone encroachment"},
        {"slug": "lumbar-disc-disease", "label": "Lumbar disc disease"},
        {"slug": "not-sure", "label": "I'm not sure"},
    ]
    assert list(data["sequences"]) == list(TIPS)


def test_the_given_clinic_is_written_as_is(proposal: str) -> None:
    assert load(proposal)["clinic"] == {
        "name": CLINIC.name,
        "from": CLINIC.from_address,
        "reply_to": CLINIC.reply_to,
        "postal_address": CLINIC.postal_address,
        "booking_url": CLINIC.booking_url,
        "base_url": CLINIC.base_url,
        "timezone": CLINIC.timezone,
    }
    assert "# EDIT:" not in proposal


def test_without_a_clinic_placeholders_are_marked_for_editing(seed: content.Article) -> None:
    text = generate.propose(seed, article_path=PATH)
    assert load(text)["clinic"] == {
        "name": "Your Clinic",
        "from": "Your Clinic <tips@clinic.example>",
        "postal_address": "Street, City, Postcode, Country",
        "booking_url": "https://clinic.example/book",
        "base_url": "https://tips.clinic.example",
        "timezone": "America/New_York",
    }
    assert "\nclinic:\n  # EDIT: placeholders." in text


@pytest.mark.parametrize("cause", list(TIPS))
def test_each_sequence_is_welcome_tips_by_relevance_closing(proposal: str, cause: str) -> None:
    steps = load(proposal)["sequences"][cause]["steps"]
    assert [s["id"] for s in steps] == ["welcome", *TIPS[cause], "closing"]
    assert [s["after"] for s in steps] == ["0m"] + ["2d"] * 5 + ["3d"]
    assert [s["template"] for s in steps] == ["welcome.mjml.j2"] + ["tip.mjml.j2"] * 5 + [
        "closing.mjml.j2"
    ]
    assert [s["content"] for s in steps[1:-1]] == [
        [f"back-spasms/treatments/{tip}"] for tip in TIPS[cause]
    ]
    assert steps[-1]["content"] == ["back-spasms/closing"]


def test_welcome_content_is_intro_and_the_cause_or_all_causes(proposal: str) -> None:
    sequences_ = load(proposal)["sequences"]
    assert sequences_["bone-encroachment"]["steps"][0]["content"] == [
        "back-spasms/intro",
        "back-spasms/causes/bone-encroachment",
    ]
    assert sequences_["not-sure"]["steps"][0]["content"] == [
        "back-spasms/intro",
        "back-spasms/causes",
    ]


def test_every_content_slug_exists_in_the_article(proposal: str, seed: content.Article) -> None:
    slugs = {
        slug
        for seq in load(proposal)["sequences"].values()
        for step in seq["steps"]
        for slug in step["content"]
    }
    assert slugs and all(seed.find(slug) is not None for slug in slugs)


def test_subjects_and_preheaders_come_from_titles_and_first_sentences(proposal: str) -> None:
    steps = {s["id"]: s for s in load(proposal)["sequences"]["muscle-injury"]["steps"]}
    assert steps["welcome"]["subject"] == "Back spasms: where to start"
    assert steps["welcome"]["preheader"] == "The structure of your lower back is extremely complex."
    assert steps["heat-and-ice"]["subject"] == "Tip 2: Heat and ice"
    assert steps["heat-and-ice"]["preheader"] == (
        "The use of hot and cold compresses can help to reduce inflammation and lessen pain"
        " for some…"
    )
    assert steps["closing"]["subject"] == "Back spasms: your next step"
    assert steps["closing"]["preheader"] == (
        "Almost everyone suffers from back spasms at some point, whether from injury or due"
        " to aging."
    )


def test_subjects_and_preheaders_are_one_line_and_short(proposal: str) -> None:
    for seq in load(proposal)["sequences"].values():
        for step in seq["steps"]:
            assert "\n" not in step["subject"] and len(step["subject"]) <= 150
            assert "\n" not in step["preheader"] and len(step["preheader"]) <= 100


def test_each_tip_carries_its_relevance_as_a_comment(proposal: str) -> None:
    block = proposal.split("  lumbar-disc-disease:\n")[1].split("  not-sure:\n")[0]
    comments = re.findall(r"      # (.*)\n      - id: (\S+)", block)
    assert comments == [
        ("relevance 0.183: shared terms disc, age, degener, spin", "functional-disc-rehydration"),
        ("relevance 0.043: shared terms norm, nerv, vertebra, spin", "vertebroplasty-kyphoplasty"),
        ("relevance 0.003: shared terms spin", "heat-and-ice"),
        ("relevance 0.002: shared terms spin", "medications"),
        ("relevance 0.000: no shared terms", "rest"),
    ]


def test_not_sure_tips_carry_the_mean_relevance(proposal: str) -> None:
    block = proposal.split("  not-sure:\n")[1]
    assert (
        "      # mean relevance over all causes 0.066: shared terms disc, age, degener, spin,"
        " spasm\n      - id: functional-disc-rehydration\n"
    ) in block


def test_the_header_documents_the_file_and_drip_check(proposal: str) -> None:
    header = proposal.split("\nversion: 1\n")[0]
    assert all(line.startswith("#") for line in header.splitlines())
    for key in ("version", "article", "clinic", "send_window", "on_cause_change", "causes"):
        assert f"#   {key} " in header
    assert "#     id " in header
    assert "drip check" in header
    assert f"from {PATH}." in header


def _article(*sections: content.Section, title: str = "Knee Pain") -> content.Article:
    return content.Article(slug="k", title=title, author=None, date=None, sections=sections)


def _section(role: content.Role, *titles: str, body: str = "") -> content.Section:
    slug = f"k/{role.value}"
    items = tuple(
        content.Item(slug=f"{slug}/{content.slugify(t)}", title=t, body="") for t in titles
    )
    return content.Section(slug=slug, title="", role=role, body=body, items=items)


def test_ids_and_cause_keys_never_collide() -> None:
    article = _article(
        _section(content.Role.CAUSES, "Not Sure"),
        _section(content.Role.TREATMENTS, "Welcome", "Closing"),
        _section(content.Role.CLOSING, body="Bye."),
    )
    data = load(generate.propose(article, article_path="k.md"))
    assert [c["slug"] for c in data["causes"]] == ["not-sure-2", "not-sure"]
    steps = data["sequences"]["not-sure-2"]["steps"]
    assert [s["id"] for s in steps] == ["welcome", "welcome-2", "closing-2", "closing"]


def test_without_intro_or_closing_the_steps_shrink_to_what_exists() -> None:
    article = _article(
        _section(content.Role.CAUSES, "Strain"),
        _section(content.Role.TREATMENTS, "Ice"),
    )
    data = load(generate.propose(article, article_path="k.md"))
    assert data["sequences"]["strain"]["steps"] == [
        {
            "id": "welcome",
            "after": "0m",
            "template": "welcome.mjml.j2",
            "subject": "Knee pain: where to start",
            "preheader": "Knee pain",
            "content": ["k/causes/strain"],
        },
        {
            "id": "ice",
            "after": "2d",
            "template": "tip.mjml.j2",
            "subject": "Tip 1: Ice",
            "preheader": "Ice",
            "content": ["k/treatments/ice"],
        },
    ]


def test_a_long_title_gives_a_subject_cut_at_a_word() -> None:
    long_title = "Treatments for " + " ".join(["Very"] + ["long"] * 60)
    article = _article(
        _section(content.Role.INTRO, body="Hello."),
        _section(content.Role.CAUSES, "Strain"),
        title=long_title,
    )
    subjects = [
        s["subject"]
        for seq in load(generate.propose(article, article_path="k.md"))["sequences"].values()
        for s in seq["steps"]
    ]
    assert subjects[0] == "Very " + "long " * 28 + "long…"
    assert all(len(s) <= 150 for s in subjects)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Causes & Treatments for Back Spasms", "Back spasms"),
        ("Causes and treatments of Sciatica", "Sciatica"),
        ("Symptoms, Causes & Treatment for Neck Pain", "Neck pain"),
        ("Why Your Knee Hurts", "Why your knee hurts"),
        ("", "Your health"),
    ],
)
def test_topic_from_the_article_title(title: str, expected: str) -> None:
    assert yamltext.topic(title) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heat and Ice", "Heat and ice"),
        ("Over-the-Counter NSAIDs", "Over-the-Counter NSAIDs"),
        ("Vertebroplasty/Kyphoplasty", "Vertebroplasty/Kyphoplasty"),
        ("the  MRI Scan", "The MRI scan"),
    ],
)
def test_sentence_case_keeps_acronyms(text: str, expected: str) -> None:
    assert yamltext.sentence_case(text) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short enough", 12, "short enough"),
        ("one two three", 12, "one two…"),
        ("one two, three", 13, "one two…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
        ("a\n b  c", 10, "a b c"),
    ],
)
def test_truncate_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert yamltext.truncate(text, limit) == expected


def test_first_sentence_skips_list_markers_and_abbreviations_stay() -> None:
    body = "- Ice helps e.g. after sport. Heat helps later.\n- Rest.\n\nNext paragraph."
    assert yamltext.first_sentence(body) == "Ice helps e.g. after sport."


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "null", "true", "2d", "Slug", "a b"])
def test_scalars_yaml_would_misread_are_quoted(word: str) -> None:
    assert yamltext.scalar(word).startswith('"')
    assert load(f"k: {yamltext.scalar(word)}") == {"k": word}


@given(st.text())
def test_any_text_quotes_to_a_yaml_string_that_reads_back_equal(text: str) -> None:
    assert load(f"k: {yamltext.quote(text)}\n") == {"k": text}
