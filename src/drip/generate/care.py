"""How conservative a treatment is, from the article's own words, with the words kept:

    1 self-care and activity        rest, heat, ice, exercise, stretching, posture, yoga
    2 manual and physical therapy   physiotherapy, chiropractic, massage, traction, osteopathy
    3 medication                    painkillers, NSAIDs, ibuprofen, muscle relaxants, creams
    4 injections and procedures     injections, nerve blocks, PRP, vertebroplasty, "procedure"
    5 surgery                       surgery, fusion, discectomy

The title speaks first: the most invasive kind it names is the treatment's kind ("Use of
medication and injections" is an injection). Without one in the title, the kind the body
names most often (ties: the more invasive). A kind the article denies ("non-surgical", "not
invasive", "drug-free") does not count. A treatment that names no kind at all is UNKNOWN and
is placed after medication, before injections: never first on a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import IntEnum


class Care(IntEnum):
    SELF_CARE = 1
    MANUAL = 2
    MEDICATION = 3
    UNKNOWN = 4  # sorts after medication, before injections and procedures
    PROCEDURE = 5
    SURGERY = 6

    @property
    def invasive(self) -> bool:
        return self >= Care.PROCEDURE

    @property
    def words(self) -> str:
        return _NAMES[self]


_NAMES = {
    Care.SELF_CARE: "self-care and activity",
    Care.MANUAL: "manual or physical therapy",
    Care.MEDICATION: "medication",
    Care.UNKNOWN: "care of a kind the article does not say",
    Care.PROCEDURE: "an injection or procedure",
    Care.SURGERY: "surgery",
}


def _stems(*stems: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)


_LEXICON = (
    (Care.SURGERY, _stems("surg", "operation", "fusion", "discectom", "laminectom",
                          "microdiscectom", "spinal implant")),
    (Care.PROCEDURE, _stems("inject", "epidural", "nerve block", "prp", "platelet-rich",
                            "prolotherap", "vertebroplast", "kyphoplast", "procedure",
                            "radiofrequency", "ablation", "cement", "invasive")),
    (Care.MEDICATION, _stems("medicat", "(?<!alternative )medicine", "drug", "nsaid",
                             "ibuprofen", "naproxen", "aspirin", "paracetamol", "acetaminophen",
                             "painkill", "pain relievers",
                             "analgesic", "opioid", "codeine", "relaxant", "anti-inflammator",
                             "antidepressant", "ointment", "cream", "topical", "prescri",
                             "pharmac", "capsaicin")),
    (Care.MANUAL, _stems("physiotherap", "physical therap", "physio", r"pt\b", "chiropract",
                         "adjustment", "manipulat", "massage", "osteopath", "manual therap",
                         "soft tissue", "traction", "decompression", "acupunct", "ultrasound",
                         "electrical stimulation", "electrostim", r"tens\b", "rehabilitat",
                         "alternative", "therapist", r"compression\b")),
    (Care.SELF_CARE, _stems(r"rest\b", r"resting\b", r"heat(?:ing)?\b", r"ice\b", r"cold\b",
                            r"warm\b", r"compress(?:es)?\b", "exercis",
                            "stretch", "walk", "activ", "posture", "yoga", "pose", "lifestyle",
                            "weight", "sleep", "brace", "belt", "corset", "home", "lie on",
                            "bridge", "essential oil")),
)  # fmt: skip
_DENIED = re.compile(
    r"\b(?:non-?|not\s+|without\s+|drug-free\b.*?)(?P<word>invasive|surgical|surgery|drugs?"
    r"|medications?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class Kind:
    care: Care
    words: tuple[str, ...]  # the article's words that say so, as written
    denied: tuple[str, ...] = ()  # the kinds the article rules out ("not invasive")


def classify(title: str, body: str) -> Kind:
    """The kind of care `title` and `body` describe (see the module's docstring)."""
    denied_text = " ".join(m[0] for m in _DENIED.finditer(f"{title} {body}"))
    title_kinds = _found(_DENIED.sub(" ", title))
    if title_kinds:
        care = max(title_kinds)
        return Kind(care=care, words=tuple(title_kinds[care]), denied=_denied(denied_text))
    body_kinds = _found(_DENIED.sub(" ", body))
    denied = _denied(denied_text)
    if "invasive" in denied_text.lower():  # "this method is not invasive": not a procedure
        body_kinds.pop(Care.PROCEDURE, None)
        body_kinds.pop(Care.SURGERY, None)
    if not body_kinds:
        return Kind(care=Care.UNKNOWN, words=(), denied=denied)
    counts = Counter({care: len(words) for care, words in body_kinds.items()})
    care = max(counts, key=lambda c: (counts[c], c))
    return Kind(care=care, words=tuple(dict.fromkeys(body_kinds[care])), denied=denied)


def _found(text: str) -> dict[Care, list[str]]:
    kinds: dict[Care, list[str]] = {}
    for care, pattern in _LEXICON:
        words = [m[0].lower() for m in pattern.finditer(text)]
        if words:
            kinds[care] = words
    return kinds


def _denied(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m[0].lower() for m in _DENIED.finditer(text)))
