"""The content model: an article is a tree of sections and items, each with a stable slug.

    Article ── Section (role, with its confidence and evidence) ── Item

Roles: intro, causes, treatments, self-care, symptoms, prevention, risk-factors, diagnosis,
see-a-doctor, closing, other.

A body is plain text: paragraphs separated by one blank line; a line starting with "- " is a
list entry. Slugs look like `back-spasms/treatments/heat-and-ice`: article slug / section key /
item key. The JSON form (`Article.to_json`) is a stable, documented interface (README, "Content
JSON"); `SCHEMA_VERSION` changes only when a field changes meaning or disappears.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Role(StrEnum):
    INTRO = "intro"
    CAUSES = "causes"
    TREATMENTS = "treatments"
    SELF_CARE = "self-care"  # what a patient can do themselves: rest, exercise, heat and ice
    SYMPTOMS = "symptoms"
    PREVENTION = "prevention"
    RISK_FACTORS = "risk-factors"
    DIAGNOSIS = "diagnosis"
    SEE_A_DOCTOR = "see-a-doctor"  # when to see a doctor: red flags, urgent signs
    CLOSING = "closing"
    OTHER = "other"


# The roles whose entries become tips of a sequence: treatments, and what patients do themselves.
CARE_ROLES = (Role.TREATMENTS, Role.SELF_CARE)


def slugify(text: str) -> str:
    """A URL-safe key: `"Heat and Ice"` → `heat-and-ice`, `"A/B"` → `a-b`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "untitled"


def sentence_case(title: str) -> str:
    """`"Heat and Ice"` → `"Heat and ice"`; acronyms and words like `NSAIDs` keep their case.

    The one rule for titles, in proposals (labels, subjects) and in the emails' headings."""
    words = [part for word in " ".join(title.split()).split(" ") for part in _parts(word)]
    cased = [
        w.lower() if i and w[:1].isupper() and w[1:].islower() else w for i, w in enumerate(words)
    ]
    return upper_first("".join(cased).rstrip(" "))


def _parts(word: str) -> list[str]:
    """A word and its slash-joined halves as separate words ("A/B" → "A", "/", "B"), then a
    space: `sentence_case` cases each half."""
    pieces = re.split(r"(/)", word)
    return [*pieces, " "]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lowercase the first letter unless the first word is an acronym (`NSAIDs`, `MRI`)."""
    first = text.split(" ", 1)[0]
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a body, in order (list blocks stay one paragraph, lines kept)."""
    return [p.strip() for p in body.split("\n\n") if p.strip()]


@dataclass(frozen=True, kw_only=True)
class Item:
    slug: str
    title: str
    body: str

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "body": self.body}


@dataclass(frozen=True, kw_only=True)
class Section:
    slug: str
    title: str
    role: Role
    body: str
    items: tuple[Item, ...] = ()
    # How the role was found, not what the article says: two trees with the same sections,
    # roles and items are equal whatever the words of their evidence.
    confidence: float = field(default=1.0, compare=False)  # how sure the role is, 0..1
    evidence: tuple[str, ...] = field(default=(), compare=False)  # why, in words

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "role": self.role.value,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
            "body": self.body,
            "items": [item.to_json() for item in self.items],
        }


@dataclass(frozen=True, kw_only=True)
class Unplaced:
    """Text a parser could not place in the tree, with where it was found (1-based line)."""

    line: int
    text: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Article:
    slug: str
    title: str
    author: str | None
    date: str | None  # ISO 8601 date, e.g. "2014-02-11"
    sections: tuple[Section, ...]
    unplaced: tuple[Unplaced, ...] = ()
    source: str = field(default="", compare=False)  # the file it was read from, for messages
    _index: dict[str, Section | Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            self._index[section.slug] = section
            for item in section.items:
                self._index[item.slug] = item

    def find(self, slug: str) -> Section | Item | None:
        """The section or item with this slug, or None."""
        return self._index.get(slug)

    def slugs(self) -> list[str]:
        """Every addressable slug, in the article's order."""
        return list(self._index)

    def sections_with_role(self, role: Role) -> list[Section]:
        return [s for s in self.sections if s.role is role]

    def items_with_role(self, role: Role) -> list[Item]:
        return [item for s in self.sections_with_role(role) for item in s.items]

    def listed(self, role: Role) -> list[Section | Item]:
        """What the article lists as its causes (or treatments…): the items of the sections
        with that role; or, when it gives one section each (two or more sections with that
        role, none of them with items), those sections. Prose alone lists nothing."""
        items: list[Section | Item] = list(self.items_with_role(role))
        if items:
            return items
        sections = self.sections_with_role(role)
        return list(sections) if len(sections) >= 2 else []

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "slug": self.slug,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "sections": [s.to_json() for s in self.sections],
            "unplaced": [u.to_json() for u in self.unplaced],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        return cls(
            slug=data["slug"],
            title=data["title"],
            author=data.get("author"),
            date=data.get("date"),
            sections=tuple(
                Section(
                    slug=s["slug"],
                    title=s["title"],
                    role=Role(s["role"]),
                    body=s["body"],
                    items=tuple(Item(**i) for i in s["items"]),
                    confidence=s.get("confidence", 1.0),
                    evidence=tuple(s.get("evidence", ())),
                )
                for s in data["sections"]
            ),
            unplaced=tuple(Unplaced(**u) for u in data.get("unplaced", [])),
        )
