"""The relevance scoring: stemming, tokenising, and the ranking on synthetic and seed articles."""

from __future__ import annotations

import pytest

from drip import content
from drip.generate import relevance


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("degeneration", "degener"),
        ("discs", "disc"),
        ("disc", "disc"),
        ("spinal", "spin"),
        ("spine", "spin"),
        ("injury", "injur"),
        ("injuries", "injur"),
        ("injured", "injur"),
        ("nerves", "nerv"),
        ("nerve", "nerv"),
        ("compression", "compress"),
        ("compresses", "compress"),
        ("functional", "funct"),
        ("function", "funct"),
        ("stress", "stress"),  # "ss" is not a plural
        ("status", "status"),
        ("age", "age"),  # stripping "e" would leave a 2-letter stem
        ("ages", "age"),
        ("ice", "ice"),
    ],
)
def test_stem_strips_one_suffix_and_keeps_three_letters(word: str, expected: str) -> None:
    assert relevance.stem(word) == expected


def test_terms_lowercase_drop_stopwords_and_stem() -> None:
    text = "The Discs between your Vertebrae may rupture; age-related degeneration."
    assert relevance.terms(text) == ["disc", "vertebra", "ruptur", "age", "relat", "degener"]


def _article(causes: dict[str, str], treatments: dict[str, str]) -> content.Article:
    def section(role: content.Role, items: dict[str, str]) -> content.Section:
        slug = f"t/{role.value}"
        return content.Section(
            slug=slug,
            title="",
            role=role,
            body="",
            items=tuple(
                content.Item(slug=f"{slug}/{content.slugify(t)}", title=t, body=b)
                for t, b in items.items()
            ),
        )

    return content.Article(
        slug="t",
        title="Knee pain",
        author=None,
        date=None,
        sections=(
            section(content.Role.CAUSES, causes),
            section(content.Role.TREATMENTS, treatments),
        ),
    )


SYNTHETIC = _article(
    causes={
        "Torn Ligament": "Knee pain from a torn ligament after a twist.",
        "Arthritis": "Knee pain from arthritis: the cartilage wears and the joint swells.",
    },
    treatments={
        "Bracing": "Knee pain eases when a brace holds the torn ligament still.",
        "Joint Injections": "Knee pain from a swollen joint, worn cartilage: injections.",
        "Walking": "Knee pain eases with walking.",
    },
)


def _order(ranked: list[relevance.Ranked]) -> list[str]:
    return [r.item.title for r in ranked]


def test_the_treatment_sharing_the_causes_distinctive_words_comes_first() -> None:
    torn, arthritis = SYNTHETIC.items_with_role(content.Role.CAUSES)
    assert _order(relevance.rank_treatments(SYNTHETIC, torn))[0] == "Bracing"
    assert _order(relevance.rank_treatments(SYNTHETIC, arthritis))[0] == "Joint Injections"


def test_shared_terms_are_the_real_shared_stems_highest_weight_first() -> None:
    torn, _ = SYNTHETIC.items_with_role(content.Role.CAUSES)
    bracing = relevance.rank_treatments(SYNTHETIC, torn)[0]
    # "torn" and "ligament" appear in two documents; "knee" and "pain" in all five weigh 0.
    assert bracing.shared_terms == ("liga", "torn")  # "ligament" loses "ment": crude, consistent
    assert 0 < bracing.score < 1


def test_words_in_every_document_weigh_nothing_and_ties_keep_article_order() -> None:
    article = _article(
        causes={"Strain": "Knee pain."},
        treatments={"Ice": "Knee pain.", "Rest": "Knee pain.", "Heat": "Knee pain."},
    )
    (cause,) = article.items_with_role(content.Role.CAUSES)
    ranked = relevance.rank_treatments(article, cause)
    assert _order(ranked) == ["Ice", "Rest", "Heat"]
    assert [(r.score, r.shared_terms) for r in ranked] == [(0.0, ())] * 3


def test_shared_terms_are_at_most_five() -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta"
    article = _article(causes={"X": words}, treatments={"Y": words, "Z": "other"})
    (cause,) = article.items_with_role(content.Role.CAUSES)
    assert len(relevance.rank_treatments(article, cause)[0].shared_terms) == 5


def test_overall_rank_is_the_mean_over_causes() -> None:
    per_cause = [
        relevance.rank_treatments(SYNTHETIC, c)
        for c in SYNTHETIC.items_with_role(content.Role.CAUSES)
    ]
    overall = relevance.rank_overall(SYNTHETIC)
    for ranked in overall:
        scores = [next(r.score for r in rs if r.item == ranked.item) for rs in per_cause]
        assert ranked.score == pytest.approx(sum(scores) / 2)
    assert _order(overall)[-1] == "Walking"


def test_without_causes_the_overall_rank_keeps_article_order() -> None:
    article = _article(causes={}, treatments={"Ice": "cold", "Rest": "bed", "Heat": "warm"})
    assert [(r.item.title, r.score) for r in relevance.rank_overall(article)] == [
        ("Ice", 0.0),
        ("Rest", 0.0),
        ("Heat", 0.0),
    ]


SEED_ORDER = {
    "muscle-injury": [
        ("rest", ("muscl", "spasm")),
        ("heat-and-ice", ("damag", "injur")),
        ("medications", ("damag",)),
        ("functional-disc-rehydration", ("spasm",)),
        ("vertebroplasty-kyphoplasty", ()),
    ],
    "bone-encroachment": [
        ("vertebroplasty-kyphoplasty", ("bon", "vertebra", "nerv", "spin", "pain")),
        ("functional-disc-rehydration", ("spin", "pain")),
        ("heat-and-ice", ("spin", "pain")),
        ("medications", ("spin", "pain")),
        ("rest", ("pain",)),
    ],
    "lumbar-disc-disease": [
        ("functional-disc-rehydration", ("disc", "age", "degener", "spin")),
        ("vertebroplasty-kyphoplasty", ("norm", "nerv", "vertebra", "spin")),
        ("heat-and-ice", ("spin",)),
        ("medications", ("spin",)),
        ("rest", ()),
    ],
}


@pytest.mark.parametrize("cause", list(SEED_ORDER))
def test_seed_order_per_cause(seed: content.Article, cause: str) -> None:
    item = seed.find(f"back-spasms/causes/{cause}")
    assert isinstance(item, content.Item)
    ranked = relevance.rank_treatments(seed, item)
    assert [(r.item.slug.rsplit("/", 1)[1], r.shared_terms) for r in ranked] == SEED_ORDER[cause]
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_seed_disc_rehydration_leads_for_disc_disease_by_a_wide_margin(
    seed: content.Article,
) -> None:
    item = seed.find("back-spasms/causes/lumbar-disc-disease")
    assert isinstance(item, content.Item)
    first, second, *_ = relevance.rank_treatments(seed, item)
    assert first.item.title == "Functional Disc Rehydration"
    assert first.score > 3 * second.score
