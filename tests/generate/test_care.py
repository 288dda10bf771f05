"""How conservative a treatment is, from the article's own words (drip.generate.care)."""

from __future__ import annotations

import pytest

from drip.generate import care

Care = care.Care


@pytest.mark.parametrize(
    ("title", "body", "kind", "words"),
    [
        ("Heat and Ice", "Hot and cold compresses.", Care.SELF_CARE, ("heat", "ice")),
        ("Rest", "Bed rest may restore you.", Care.SELF_CARE, ("rest",)),
        ("Gentle massage", "", Care.MANUAL, ("massage",)),
        ("Take painkillers", "Use ibuprofen.", Care.MEDICATION, ("painkillers",)),
        ("Vertebroplasty/Kyphoplasty", "Epoxy is injected.", Care.PROCEDURE,
         ("vertebroplasty", "kyphoplasty")),
        ("Surgery for a slipped disc", "Rarely needed.", Care.SURGERY, ("surgery",)),
        # the title names two kinds: the more invasive one is the kind
        ("Use of medication and injections", "", Care.PROCEDURE, ("injections",)),
        # no kind in the title: the body's most frequent kind
        ("Treatment from your GP", "A stronger painkiller, a steroid injection or a muscle"
         " relaxant.", Care.MEDICATION, ("painkiller", "relaxant")),
        ("Thorough Assessment", "We will look at you.", Care.UNKNOWN, ()),
    ],
)  # fmt: skip
def test_kinds_from_the_title_then_the_body(
    title: str, body: str, kind: Care, words: tuple[str, ...]
) -> None:
    found = care.classify(title, body)
    assert (found.care, found.words) == (kind, words)


def test_what_the_article_denies_does_not_count() -> None:
    body = (
        "This procedure can help your spine. Traction and compression are used. This method"
        " is not invasive."
    )
    found = care.classify("Functional Disc Rehydration", body)
    assert found.care is Care.MANUAL
    assert found.words == ("traction", "compression")
    assert found.denied == ("not invasive",)
    spinal = care.classify("Spinal Decompression", "Non-surgical spinal decompression helps.")
    assert spinal.care is Care.MANUAL and spinal.denied == ("non-surgical",)


def test_only_procedures_and_surgery_are_invasive() -> None:
    assert [c for c in Care if c.invasive] == [Care.PROCEDURE, Care.SURGERY]
    assert Care.MEDICATION < Care.UNKNOWN < Care.PROCEDURE  # never first on a guess
