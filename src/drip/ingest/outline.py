"""The human outline `drip ingest` prints: what the parser found, and what it could not place;
and `drip ingest --explain`: each section's role with its evidence, then every block of the
source, in the source's order, with where it went or why it was left out."""

from __future__ import annotations

import textwrap

from drip import content
from drip.ingest import build

_EXCERPT = 72


def outline(article: content.Article) -> str:
    """Title, author and date; each section (role, slug, title) with its items and an excerpt;
    then the unplaced text with line numbers and reasons."""
    lines = [article.title or "(untitled)"]
    lines.append(f"by {article.author or '(unknown author)'}, {article.date or '(undated)'}")
    lines.append("")
    for section in article.sections:
        heading = f"  {section.title!r}" if section.title else ""
        lines.append(f"[{section.role.value}] {section.slug}{heading}")
        if section.body:
            lines.append(f"    {excerpt(section.body)}")
        for item in section.items:
            lines.append(f"  - {item.slug}  {item.title!r}")
            if item.body:
                lines.append(f"      {excerpt(item.body)}")
    if not article.sections:
        lines.append("(no sections)")
    lines.append("")
    lines.append(f"Unplaced ({len(article.unplaced)})" + (":" if article.unplaced else ""))
    for unplaced in article.unplaced:
        lines.append(f"  line {unplaced.line}: {excerpt(unplaced.text)!s} — {unplaced.reason}")
    return "\n".join(lines)


def excerpt(body: str) -> str:
    """The start of a body on one line, shortened at a word boundary."""
    flat = " ".join(body.split())
    return textwrap.shorten(flat, width=_EXCERPT, placeholder=" …")


def explain(reading: build.Built) -> str:
    """The roles and their evidence, then each block of the source and where it went."""
    article = reading.article
    lines = [article.title or "(untitled)", "", "Roles:"]
    for section in article.sections:
        lines.append(f"  {section.slug} [{section.role.value}, {section.confidence:.2f}]: "
                     + "; ".join(section.evidence))  # fmt: skip
    lines += ["", "Every block of the source:"]
    rows = [(p.line, p.what, p.text, f"→ {p.where}") for p in reading.placements]
    rows += [(u.line, "text", u.text, f"dropped: {u.reason}") for u in article.unplaced]
    for line, what, text, where in sorted(rows, key=lambda row: row[0]):
        lines.append(f"  {reading.place(line)} {what} {excerpt(text)!r}")
        lines.append(f"      {where}")
    return "\n".join(lines)
