"""The flat form every parser produces: a list of blocks, plus what it learnt about the article.

A parser's job ends at `Draft`; `drip.ingest.build` turns a draft into the tree. Keeping the
formats behind one small block vocabulary is what makes the text, HTML and Markdown versions of
the same article come out identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from drip import content


class Kind(StrEnum):
    HEADING = "heading"  # level 1..6 (7 = a paragraph that is only bold text)
    PARAGRAPH = "paragraph"
    ITEM = "item"  # a list entry; `label` is its bold lead-in (or a `<dt>`), if any
    CAPTION = "caption"  # a figure caption the parser recognised from markup
    RULE = "rule"  # a horizontal rule: ends the item above it (`---`, `<hr>`)


@dataclass(frozen=True, kw_only=True)
class Block:
    kind: Kind
    text: str
    line: int
    level: int = 0
    label: str = ""
    depth: int = 0  # a list entry's nesting: 0 at the top, 1 inside another entry, …
    weak: bool = False  # a heading whose level is a guess (a bold line, a short text line)

    def describe(self) -> str:
        """What the block is, for `drip ingest --explain`: `heading 2`, `list entry`, …"""
        if self.kind is Kind.HEADING:
            return "bold line" if self.level == 7 else f"heading {self.level}"
        return {Kind.ITEM: "list entry", Kind.CAPTION: "caption", Kind.RULE: "rule"}.get(
            self.kind, "paragraph"
        )

    @property
    def full_text(self) -> str:
        """Label and text together, as the reader sees them."""
        return f"{self.label}: {self.text}" if self.label and self.text else self.label or self.text


@dataclass(kw_only=True)
class Draft:
    """What a parser hands to the builder. Mutable while the parser fills it in."""

    slug: str
    source: str = ""
    title: str = ""
    author: str | None = None
    date: str | None = None
    site: str = ""  # the blog or site name, when the source names it
    title_line: int = 0  # where the title heading was; text above it is site chrome
    blocks: list[Block] = field(default_factory=list)
    unplaced: list[content.Unplaced] = field(default_factory=list)
    taken: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, what it gave

    def metadata(self, line: int, text: str, what: str) -> None:
        """Record text taken as the article's metadata (its title, its byline)."""
        self.taken.append((line, clean(text), what))

    def skip(self, line: int, text: str, reason: str) -> None:
        """Report text that is not article content (never silently dropped)."""
        self.unplaced.append(content.Unplaced(line=line, text=clean(text), reason=reason))


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BULLETS = "•·◦▪▫‣∙●○■□–—*-"


def clean(text: str) -> str:
    """One line of text: non-breaking and doubled spaces collapsed, trimmed, no bullet glyph."""
    text = _SPACES.sub(" ", text.replace("\r", "").replace("\n", " ")).strip()
    return text


def strip_bullet(text: str) -> str:
    """`"• Muscle Injury"` → `"Muscle Injury"`; a lone dash inside a sentence is left alone."""
    stripped = text.lstrip()
    if stripped[:1] in _BULLETS and stripped[1:2] in (" ", "\u00a0", "\t"):
        return stripped[2:].strip()
    return text.strip()


def same_words(a: str, b: str) -> bool:
    """Equal ignoring case, punctuation and spacing (for matching a heading to a known title)."""
    return content.slugify(a) == content.slugify(b)


def content_key(text: str) -> str:
    """The words of `text`, lowercased and joined by hyphens (`"Neck Pain!"` → `neck-pain`)."""
    return content.slugify(text)


@dataclass(frozen=True, kw_only=True)
class Part:
    """A run of inline text as markup gave it: bold or not (a line break is `"\\n"`)."""

    text: str
    bold: bool = False


_LABEL_END = (":", ".", "–", "—", "-")


def from_parts(
    parts: list[Part], *, kind: Kind, line: int, level: int = 0, depth: int = 0
) -> Block | None:
    """One block from inline runs. In a paragraph or list entry, a bold lead-in set apart by a
    line break or a colon is a label (`**Heat and Ice**⏎The use of …`); a paragraph that is
    only a short bold line is a heading of the lowest rank (level 7)."""
    text = clean("".join(p.text for p in parts))
    if not text:
        return None
    if kind in (Kind.HEADING, Kind.CAPTION):
        return Block(kind=kind, text=text, line=line, level=level)
    lead = 0
    while lead < len(parts) and (parts[lead].bold or not parts[lead].text.strip()):
        lead += 1
    label = clean("".join(p.text for p in parts[:lead]))
    rest = "".join(p.text for p in parts[lead:])
    if label and not rest.strip():
        if kind is Kind.PARAGRAPH and len(label.split()) <= 12 and label[-1:] not in ".!,;:":
            return Block(kind=Kind.HEADING, text=label, line=line, level=7, weak=True)
        return Block(kind=kind, text=label, line=line, depth=depth)
    if label and _set_apart(parts[:lead], rest):
        body = clean(rest).lstrip(":–—- ").strip()
        return Block(
            kind=Kind.ITEM, label=label.rstrip(":.–—- "), text=body, line=line, depth=depth
        )
    return Block(kind=kind, text=text, line=line, depth=depth)


def _set_apart(lead: list[Part], rest: str) -> bool:
    raw_lead = "".join(p.text for p in lead)
    return (
        "\n" in raw_lead[len(raw_lead.rstrip()) :]
        or rest.lstrip(" \t\u00a0").startswith(("\n", *_LABEL_END))
        or clean(raw_lead).endswith(_LABEL_END)
    )
