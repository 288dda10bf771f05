"""The plain-text part: the same content blocks as the HTML, laid out for 72 columns.

Text templates (`*.txt.j2`, autoescape off) use the filters and the `refs` object defined
here: headings are underlined, paragraphs wrapped, list entries start with "- ", and links
become "[n]" markers listed at the end, so long URLs never break the prose.
"""

from __future__ import annotations

import re
import textwrap

from drip.rendering import model

WIDTH = 72


def wrap(text: str, width: int = WIDTH, indent: str = "", first: str = "") -> str:
    """`text` filled to `width` columns; URLs and hyphenated words are never split."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=first or indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def heading(title: str, level: int = 1) -> str:
    """A title underlined with "=" (level 1) or "-" (level 2)."""
    line = " ".join(title.split())
    return f"{line}\n{('=' if level == 1 else '-') * len(line)}"


def part_text(part: model.Part, refs: References | None = None) -> str:
    if part.is_list:
        return "\n".join(
            wrap(_words(entry, refs), indent="  ", first="- ") for entry in part.entry_runs
        )
    return wrap(_words(part.runs, refs))


def _words(spans: model.Spans, refs: References | None) -> str:
    """The spans' text; a link followed by its "[n]" marker (or its URL, without `refs`)."""
    words = []
    for span in spans:
        words.append(span.text)
        if span.href:
            words.append(f" {refs.add(span.href)}" if refs else f" <{span.href}>")
    return "".join(words)


def text_blocks(
    blocks: list[model.Block], refs: References | None = None, headline: str = ""
) -> str:
    """Every block as a heading (when it has a title, and one other than the email's
    `headline`) followed by its paragraphs and lists, blank-line separated; links become
    `refs` markers."""
    chunks: list[str] = []
    for block in blocks:
        if block.title.strip() and block.title != headline:
            chunks.append(heading(block.title, block.level))
        chunks.extend(part_text(part, refs) for part in block.parts)
    return "\n\n".join(chunks)


class References:
    """Numbered link references for one text part: `add(url)` → "[1]", `listing()` at the end."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def add(self, url: str) -> str:
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"

    def listing(self) -> str:
        if not self.urls:
            return ""
        lines = [f"[{n}] {url}" for n, url in enumerate(self.urls, start=1)]
        return "Links:\n" + "\n".join(lines)


_BLANK_RUNS = re.compile(r"\n{3,}")


SIGNATURE_SEPARATOR = "-- "  # RFC 3676: mail clients fold or strip what follows on reply


def tidy(text: str) -> str:
    """No trailing spaces (but the signature separator's), at most one blank line in a row,
    exactly one final newline."""
    lines = [
        line if line == SIGNATURE_SEPARATOR else line.rstrip() for line in text.strip().splitlines()
    ]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)) + "\n"
