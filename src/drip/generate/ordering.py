"""The order of a sequence's tips: relevance to the cause first, then conservative care before
invasive care, from the article's own words (`care`), with the reason for every place kept.

    conservative care (self-care → manual and physical therapy → medication → unknown kind)
        1. the tips about this cause (relevance at least half the best one's), kind by kind
        2. the others, kind by kind
        within a kind: the more relevant first, then the article's order
    invasive care (injections and procedures → surgery), after all conservative care

So a procedure or surgery is never the first tip while the article offers anything else, and
the last resort comes last however much the article's words share with the cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from drip.generate import care, relevance

ABOUT_THE_CAUSE = 0.5  # a tip is "about this cause" when its relevance is this share of the best


@dataclass(frozen=True, kw_only=True)
class Tip:
    ranked: relevance.Ranked
    kind: care.Kind
    about_the_cause: bool
    why: str  # why the tip is where it is, for the YAML comment


def order(ranked: list[relevance.Ranked], *, overall: bool = False) -> list[Tip]:
    """`ranked` (from `relevance`) in the order the sequence sends them (see the docstring)."""
    best = max((r.score for r in ranked), default=0.0)
    tips = []
    for index, rank in enumerate(ranked):
        kind = care.classify(rank.item.title, rank.item.body)
        about = rank.score > 0 and rank.score >= ABOUT_THE_CAUSE * best
        tips.append((_key(kind.care, about, rank.score, index), rank, kind, about))
    tips.sort(key=lambda t: t[0])
    return [
        Tip(ranked=rank, kind=kind, about_the_cause=about, why=_why(kind, about, overall))
        for _, rank, kind, about in tips
    ]


def _key(kind: care.Care, about: bool, score: float, index: int) -> tuple[object, ...]:
    if kind.invasive:
        return (1, 0, kind, -round(score, 9), index)
    return (0, 0 if about else 1, kind, -round(score, 9), index)


def _why(kind: care.Kind, about: bool, overall: bool) -> str:
    if kind.care.invasive:
        return "invasive, so after all conservative care"
    if about:
        target = "over all causes" if overall else "to this cause"
        return f"among the most relevant {target}, and conservative"
    if kind.care is care.Care.UNKNOWN:
        return "conservative first; the article does not say what kind this is"
    return "conservative, so before any injection, procedure or surgery"


def comment(tip: Tip, *, overall: bool, measured: bool = True) -> str:
    """The YAML comment above a tip: relevance, kind of care and why it sits where it does.
    `measured`: False when there is no cause to measure relevance against (`--single`)."""
    rank = tip.ranked
    measure = "mean relevance over all causes" if overall else "relevance"
    terms = (
        f"shared terms {', '.join(rank.shared_terms)}" if rank.shared_terms else "no shared terms"
    )
    relevance_ = f"{measure} {rank.score:.3f}: {terms}" if measured else "no cause to measure by"
    said = ", ".join(f'"{w}"' for w in tip.kind.words[:3])
    denied = "; the article says " + ", ".join(f'"{d}"' for d in tip.kind.denied[:2])
    kind = (
        f"{tip.kind.care.words} ({said}{denied if tip.kind.denied else ''})"
        if said
        else (tip.kind.care.words)
    )
    return f"{relevance_}. {kind}: {tip.why}"
