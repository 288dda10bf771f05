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
from drip import content, generate, topics
from drip.generate import yamltext
from seed_data import seed_article

PATH = "articles/back-spasms.txt"
CLINIC = seed_data.CLINIC
# Relevance to the cause first, then conservative care before invasive care (drip.generate.
# ordering): vertebroplasty/kyphoplasty, a procedure, comes after every conservative tip.
TIPS = {
    "muscle-injury": [
        "rest",  # the one about this cause (it shares "muscle", "spasm")
        "heat-and-ice",
        "functional-disc-rehydration",  # traction; the article says "not invasive"
        "medications",
        "vertebroplasty-kyphoplasty",
    ],
    "bone-encroachment": [
        "heat-and-ice",
        "rest",
        "functional-disc-rehydration",
        "medications",
        "vertebroplasty-kyphoplasty",  # the most relevant, but a procedure: last
    ],
    "lumbar-disc-disease": [
        "functional-disc-rehydration",
        "heat-and-ice",
        "rest",
        "medications",
        "vertebroplasty-kyphoplasty",
    ],
    "not-sure": [
        "functional-disc-rehydration",
        "rest",
        "heat-and-ice",
        "medications",
        "vertebroplasty-kyphoplasty",
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
    # No position beside the title: the tips' order differs by cause.
    assert steps["heat-and-ice"]["subject"] == "Back spasms: heat and ice"
    # A whole sentence: the first is 101 characters long, the second fits.
    assert steps["heat-and-ice"]["preheader"] == (
        "These compresses should be applied as soon as possible after an injury."
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


def comments(block: str) -> list[tuple[str, str]]:
    """(the comment above a step, joined into one line, the step's id) for each commented step."""
    found = re.findall(r"((?:      # .*\n)+)      - id: (\S+)", block)
    return [(" ".join(line.strip()[2:] for line in c.splitlines()), step) for c, step in found]


def test_each_tip_carries_its_relevance_its_kind_of_care_and_why_it_is_there(
    proposal: str,
) -> None:
    block = proposal.split("  bone-encroachment:\n")[1].split("  lumbar-disc-disease:\n")[0]
    assert comments(block) == [
        (
            'relevance 0.007: shared terms spin, pain. self-care and activity ("heat", "ice"):'
            " conservative, so before any injection, procedure or surgery",
            "heat-and-ice",
        ),
        (
            'relevance 0.002: shared terms pain. self-care and activity ("rest"): conservative,'
            " so before any injection, procedure or surgery",
            "rest",
        ),
        (
            'relevance 0.012: shared terms spin, pain. manual or physical therapy ("traction",'
            ' "compression"; the article says "not invasive"): conservative, so before any'
            " injection, procedure or surgery",
            "functional-disc-rehydration",
        ),
        (
            'relevance 0.007: shared terms spin, pain. medication ("medications"): conservative,'
            " so before any injection, procedure or surgery",
            "medications",
        ),
        (
            "relevance 0.093: shared terms bon, vertebra, nerv, spin, pain. an injection or"
            ' procedure ("vertebroplasty", "kyphoplasty"): invasive, so after all conservative'
            " care",
            "vertebroplasty-kyphoplasty",
        ),
    ]


def test_not_sure_tips_carry_the_mean_relevance(proposal: str) -> None:
    (first, *_) = comments(proposal.split("  not-sure:\n")[1])
    assert first == (
        "mean relevance over all causes 0.066: shared terms disc, age, degener, spin, spasm."
        ' manual or physical therapy ("traction", "compression"; the article says "not'
        ' invasive"): among the most relevant over all causes, and conservative',
        "functional-disc-rehydration",
    )


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
            "subject": "Knee pain: ice",
            "preheader": "Ice",
            "content": ["k/treatments/ice"],
        },
    ]


def test_a_long_treatment_title_gives_a_subject_cut_at_a_word() -> None:
    long_title = " ".join(["Very"] + ["long"] * 60)
    article = _article(
        _section(content.Role.INTRO, body="Hello."),
        _section(content.Role.CAUSES, "Strain"),
        _section(content.Role.TREATMENTS, long_title),
    )
    steps = load(generate.propose(article, article_path="k.md"))["sequences"]["strain"]["steps"]
    assert steps[1]["subject"].startswith("Knee pain: very long long")
    assert steps[1]["subject"].endswith("long…") and len(steps[1]["subject"]) <= 78


def test_an_article_that_lists_no_causes_gets_no_sequence_per_cause() -> None:
    article = _article(
        _section(content.Role.INTRO, body="Knees hurt."),
        _section(content.Role.CAUSES, body="Knee pain comes from strain and wear."),
        _section(content.Role.TREATMENTS, "Ice", "Rest"),
    )
    with pytest.raises(generate.NoCauses, match="no list of causes found") as caught:
        generate.propose(article, article_path="k.md")
    assert "--single" in str(caught.value) and "by hand" in str(caught.value)
    data = load(generate.propose(article, article_path="k.md", single=True))
    assert data["causes"] == [{"slug": "not-sure", "label": "I'm not sure"}]
    steps = data["sequences"]["not-sure"]["steps"]
    assert [s["id"] for s in steps] == ["welcome", "ice", "rest"]
    assert steps[0]["content"] == ["k/intro", "k/causes"]


def test_the_topic_line_is_written_after_the_article(proposal: str) -> None:
    assert '\narticle: articles/back-spasms.txt\ntopic: "back spasms"    # ' in proposal
    assert load(proposal)["topic"] == "back spasms"


@pytest.mark.parametrize(
    ("title", "headings", "expected"),
    [
        ("Causes & Treatments for Back Spasms", [], "back spasms"),
        ("Causes and treatments of Sciatica", [], "sciatica"),
        ("Symptoms, Causes & Treatment for Neck Pain", [], "neck pain"),
        ("", ["Causes of sciatica", "Symptoms Of Sciatica"], "sciatica"),
        ("Physical Therapy for Whiplash: A Guide to Neck Injuries", [], "whiplash"),
        ("", [], "your health"),
    ],
)
def test_topic_from_the_title_and_the_headings(
    title: str, headings: list[str], expected: str
) -> None:
    sections = tuple(
        content.Section(slug=f"k/s{n}", title=h, role=content.Role.CAUSES, body=f"{h}. {title}.")
        for n, h in enumerate(headings)
    )
    intro = content.Section(slug="k/intro", title="", role=content.Role.INTRO, body=title)
    article = content.Article(
        slug="k", title=title, author=None, date=None, sections=(intro, *sections)
    )
    assert topics.of(article) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heat and Ice", "Heat and ice"),
        ("Over-the-Counter NSAIDs", "Over-the-Counter NSAIDs"),
        ("Vertebroplasty/Kyphoplasty", "Vertebroplasty/kyphoplasty"),
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


def test_no_subject_singles_out_a_cause(proposal: str) -> None:
    """One welcome subject for all, and no position beside a title: each subject is sent by
    every sequence that sends its content, so the subject alone tells no cause."""
    sequences_ = load(proposal)["sequences"]
    welcomes = {seq["steps"][0]["subject"] for seq in sequences_.values()}
    assert welcomes == {"Back spasms: where to start"}
    senders: dict[str, set[str]] = {}
    for cause, seq in sequences_.items():
        for step in seq["steps"]:
            senders.setdefault(step["subject"], set()).add(cause)
            assert not re.match(r"(?i)tip \d", step["subject"]), step["subject"]
    assert all(causes == set(sequences_) for causes in senders.values())
