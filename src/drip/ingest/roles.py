"""Which role a section plays, from the words of its heading."""

from __future__ import annotations

import re

from drip import content

Role = content.Role

# Closing words win over the others: "The Main Reasons for Back Pain – Conclusion" closes.
_WORDS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (Role.CLOSING, ("conclusion", "conclusions", "summary", "the bottom line", "bottom line",
                    "final thoughts", "in closing", "takeaway", "takeaways")),
    (Role.CAUSES, ("what causes", "causes", "cause", "causing", "reasons", "reason", "why")),
    (Role.TREATMENTS, ("what helps", "treatments", "treatment", "treating", "therapy",
                       "therapies", "remedies", "remedy", "relief", "relieve", "management",
                       "managing")),
)  # fmt: skip


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


_PATTERNS = tuple((role, _pattern(words)) for role, words in _WORDS)


def role_for(heading: str) -> Role:
    """`"Causes of Back Spasms"` → causes; closing words first, else the earliest match wins."""
    text = heading.lower()
    closing_role, closing = _PATTERNS[0]
    if closing.search(text):
        return closing_role
    found = [(m.start(), role) for role, p in _PATTERNS[1:] if (m := p.search(text))]
    return min(found)[1] if found else Role.OTHER
