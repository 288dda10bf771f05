"""Article metadata found in the text itself: bylines, dates, source headers, front matter."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from drip.ingest import blocks

ABOVE_TITLE = "above the article's title: the site name or navigation, not article text"
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]{3,9})\.?,? (\d{4})\b")
_BYLINE = re.compile(
    r"^(?:posted|written|published)?\s*by\s+(?P<author>.+?)"
    r"(?:\s*(?:\bon\b|[|,·–—-])\s*(?P<when>.*\d{4}.*))?$",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r'^#\s*Source:\s*"(?P<title>[^"]+)"\s+by\s+(?P<author>[^,]+),\s*(?P<date>\d{4}-\d{2}-\d{2})'
    r"(?:\s*\((?P<site>[^)]+)\))?",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class Byline:
    author: str | None
    date: str | None


@dataclass(frozen=True, kw_only=True)
class SourceHeader:
    title: str
    author: str
    date: str
    site: str


def find_date(text: str) -> str | None:
    """The first date in `text` as ISO 8601 (`"Tue, Feb 11, 2014 @ 02:24 PM"` → `2014-02-11`)."""
    if match := _ISO.search(text):
        return _iso(int(match[1]), int(match[2]), int(match[3]))
    if match := _MONTH_DAY_YEAR.search(text):
        return _named(match[1], match[2], match[3])
    if match := _DAY_MONTH_YEAR.search(text):
        return _named(match[2], match[1], match[3])
    return None


def _named(month: str, day: str, year: str) -> str | None:
    number = _MONTHS.get(month.lower())
    return _iso(int(year), number, int(day)) if number else None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def byline(text: str) -> Byline | None:
    """`"Posted by Dr. Jane Roe on Tue, Feb 11, 2014"` → author and date; None if not a byline."""
    if len(text) > 160:
        return None
    match = _BYLINE.match(text.strip())
    if match is None:
        return None
    when = match["when"] or ""
    author = match["author"].strip(" ,|")
    # A name, not a sentence that happens to start with "by".
    if not author[:1].isupper() or len(author.split()) > 7 or author.endswith(("!", "?")):
        return None
    return Byline(author=author, date=find_date(when) if when else None)


def source_header(line: str) -> SourceHeader | None:
    """The credit line the project puts on top of a copied article (`# Source: "T" by A, D (S)`)."""
    match = _SOURCE.match(line.strip())
    if match is None:
        return None
    return SourceHeader(
        title=match["title"].strip(),
        author=match["author"].strip(),
        date=match["date"],
        site=(match["site"] or "").strip(),
    )


def front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Split a leading `---` YAML block off: (fields, rest of text, lines consumed)."""
    match = re.match(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", text, re.DOTALL)
    if match is None:
        return {}, text, 0
    try:
        data = YAML(typ="safe", pure=True).load(match[1])
    except YAMLError:
        data = None
    fields = data if isinstance(data, dict) else {}
    return fields, text[match.end() :], match[0].count("\n")


def as_date(value: Any) -> str | None:
    """A front-matter date (a YAML date, or a string holding one) as an ISO date."""
    if isinstance(value, dt.date | dt.datetime):
        return as_text(value)
    return find_date(str(value)) if value else None


def as_text(value: Any) -> str | None:
    """A front-matter value as a one-line string (dates become ISO dates)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text or None


def take_bylines(draft: blocks.Draft, found: list[blocks.Block]) -> list[blocks.Block]:
    """Move bylines (`Posted by … on …`) near the top into the draft's author and date."""
    kept: list[blocks.Block] = []
    for index, block in enumerate(found):
        near_top = index < 4 and not any(b.kind is blocks.Kind.HEADING for b in kept)
        line = byline(blocks.clean(block.text)) if block.kind is blocks.Kind.PARAGRAPH else None
        if near_top and line is not None:
            draft.metadata(block.line, block.text, "the byline: author and date")
            draft.author = draft.author or line.author
            draft.date = draft.date or line.date
        else:
            kept.append(block)
    return kept
