"""A Markdown article (Jekyll, Hugo, Astro, WordPress exports), read through markdown-it tokens.

Front matter (`---` YAML) gives the title, author and date; `#` headings, paragraphs and list
entries become blocks (`- **Label** text` is a labelled entry, `### Label` under `## Section` an
item heading, an entry inside an entry keeps its depth); raw HTML blocks go through the HTML
walker; images are dropped with their alt, citation markers (`<sup>1-5</sup>`) are reported,
and so is a paragraph that is one link alone (a call to action, a service link).
"""

from __future__ import annotations

import bs4
from markdown_it import MarkdownIt
from markdown_it.token import Token

from drip.ingest import blocks, chrome, from_html, meta

Kind = blocks.Kind
_MD = MarkdownIt("commonmark")


def parse(text: str, *, slug: str, source: str = "") -> blocks.Draft:
    fields, body, skipped = meta.front_matter(text.replace("\r\n", "\n"))
    draft = blocks.Draft(
        slug=slug,
        source=source,
        title=meta.as_text(fields.get("title")) or "",
        author=meta.as_text(fields.get("author")),
        date=meta.as_date(fields.get("date")),
    )
    found = _Reader(draft, skipped).read(_MD.parse(body))
    draft.blocks = meta.take_bylines(draft, _take_title(draft, found))
    return draft


def _take_title(draft: blocks.Draft, found: list[blocks.Block]) -> list[blocks.Block]:
    """The first heading is the title when it is an h1 (and matches the front matter's, if any)."""
    first = next((i for i, b in enumerate(found) if b.kind is Kind.HEADING), None)
    if first is None or found[first].level != 1:
        return found
    if draft.title and not blocks.same_words(draft.title, found[first].text):
        return found
    draft.title = draft.title or found[first].text
    draft.metadata(found[first].line, found[first].text, "the article's title")
    for block in found[:first]:
        draft.skip(block.line, block.full_text, meta.ABOVE_TITLE)
    return found[first + 1 :]


LINK_ALONE = chrome.LINK_ALONE
CITATION = chrome.CITATION


class _Reader:
    def __init__(self, draft: blocks.Draft, skipped_lines: int) -> None:
        self.draft = draft
        self.offset = skipped_lines + 1  # token maps are 0-based, after the front matter
        self.found: list[blocks.Block] = []
        self.item: list[blocks.Part] | None = None  # the open list entry's inline runs
        self.item_line = 0
        self.depth = 0  # lists open around the current token
        self.heading = 0  # level of the open heading, 0 when none

    def read(self, tokens: list[Token]) -> list[blocks.Block]:
        for token in tokens:
            self._token(token)
        self._close_item()
        return self.found

    def _token(self, token: Token) -> None:
        line = self.offset + token.map[0] if token.map else 0
        if token.type == "list_item_open":
            self._close_item()
            self.item, self.item_line = [], line
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            self._close_item()
            self.depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            self._close_item()
            self.depth -= 1
        elif token.type == "list_item_close":
            self._close_item()
        elif token.type == "heading_open":
            self.heading = int(token.tag[1:])
        elif token.type == "heading_close":
            self.heading = 0
        elif token.type == "inline":
            self._inline(self._parts(token, line), line, alone=_link_alone(token))
        elif token.type == "hr":
            self._close_item()
            self.found.append(blocks.Block(kind=Kind.RULE, text="", line=line))
        elif token.type in ("html_block", "fence", "code_block"):
            self._raw(token, line)

    def _inline(self, parts: list[blocks.Part], line: int, *, alone: bool) -> None:
        if alone and not self.heading:
            self.draft.skip(line, "".join(p.text for p in parts), LINK_ALONE)
            return
        if self.heading:
            kind, level = Kind.HEADING, self.heading
        elif self.item is not None:
            if self.item:
                self.item.append(blocks.Part(text="\n"))
            self.item.extend(parts)
            return
        else:
            kind, level = Kind.PARAGRAPH, 0
        self._add(blocks.from_parts(parts, kind=kind, line=line, level=level))

    def _raw(self, token: Token, line: int) -> None:
        if token.type == "html_block":
            soup = bs4.BeautifulSoup(token.content, "html.parser")
            self.found.extend(from_html.walk(soup, first_line=line, draft=self.draft))
        else:
            self._add(blocks.from_parts([blocks.Part(text=token.content)], kind=Kind.PARAGRAPH,
                                        line=line))  # fmt: skip

    def _close_item(self) -> None:
        if self.item:
            depth = max(self.depth - 1, 0)
            self._add(blocks.from_parts(self.item, kind=Kind.ITEM, line=self.item_line,
                                        depth=depth))  # fmt: skip
        self.item = None

    def _add(self, block: blocks.Block | None) -> None:
        if block is not None:
            self.found.append(block)

    def _parts(self, token: Token, line: int) -> list[blocks.Part]:
        """Inline runs with their boldness; images, raw inline HTML tags and link targets
        dropped; the text of a `<sup>` (a citation marker) reported."""
        parts: list[blocks.Part] = []
        bold, sup = 0, False
        for child in token.children or []:
            if child.type == "html_inline" and child.content.lower().startswith(("<sup", "</sup")):
                sup = not child.content.startswith("</")
            elif sup and child.type == "text":
                self.draft.skip(line, child.content, CITATION)
            else:
                bold = _run(parts, child, bold)
        return parts


def _link_alone(token: Token) -> bool:
    """Whether a paragraph is nothing but one link: `[Find a pharmacy](…)`."""
    kinds = [c.type for c in token.children or [] if c.type != "text" or c.content.strip()]
    return (
        len(kinds) >= 3
        and kinds[0] == "link_open"
        and kinds[-1] == "link_close"
        and (kinds.count("link_open") == 1)
    )


def _run(parts: list[blocks.Part], child: Token, bold: int) -> int:
    """Add one inline token to `parts`; the new bold depth."""
    if child.type == "strong_open":
        return bold + 1
    if child.type == "strong_close":
        return bold - 1
    if child.type in ("softbreak", "hardbreak"):
        parts.append(blocks.Part(text="\n", bold=bold > 0))
    elif child.type in ("text", "code_inline"):
        parts.append(blocks.Part(text=child.content, bold=bold > 0))
    return bold
