"""The plain-text form of an article, as copied from a blog page (the seed's shape).

# Source: "Title" by Author, 2014-02-11 (Blog name); …    ← optional credit line: metadata
Blog name                                                ← a short line above the title
Title
Posted by Author on Tue, Feb 11, 2014 @ 02:24 PM         ← byline: metadata
Intro paragraph …
Section heading                                          ← a short standalone line
  • Item label                                           ← bullet, then indented body
    Item body …
"""

from __future__ import annotations

import re

from drip.ingest import blocks, meta

Kind = blocks.Kind
SITE = "the blog or site name, not article content"
_KEY_VALUE = re.compile(r"^(title|author|date|source|url|site)\s*:\s*(.+)$", re.IGNORECASE)
_LEAD_LABEL = re.compile(r"^([^:.]{1,60}):\s+(.+)$")


def parse(text: str, *, slug: str, source: str = "") -> blocks.Draft:
    draft = blocks.Draft(slug=slug, source=source)
    lines = text.splitlines()
    start = _header(draft, lines)
    found: list[blocks.Block] = []
    for number, chunk in _chunks(lines, start):
        found.extend(_chunk_blocks(number, chunk))
    draft.blocks = _preamble(draft, found)
    return draft


def _header(draft: blocks.Draft, lines: list[str]) -> int:
    """Consume leading metadata lines (`# Source: …`, `Title: …`); the index of the first other."""
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if header := meta.source_header(line):
            draft.title, draft.author, draft.date = header.title, header.author, header.date
            draft.metadata(index + 1, line, "a credit line: title, author and date")
            draft.site = header.site
        elif match := _KEY_VALUE.match(line):
            key, value = match[1].lower(), blocks.clean(match[2])
            draft.metadata(index + 1, line, f"the article's {key} (a header line)")
            if key == "title":
                draft.title = value
            elif key == "author":
                draft.author = value
            elif key == "date":
                draft.date = meta.find_date(value)
        elif line:
            break
        index += 1
    return index


def _chunks(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with its 1-based first line number."""
    chunks: list[tuple[int, list[str]]] = []
    for index in range(start, len(lines)):
        if not lines[index].strip():
            continue
        if chunks and index > 0 and lines[index - 1].strip() and index - 1 >= start:
            chunks[-1][1].append(lines[index])
        else:
            chunks.append((index + 1, [lines[index]]))
    return chunks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _chunk_blocks(first: int, chunk: list[str]) -> list[blocks.Block]:
    found: list[blocks.Block] = []
    item: list[str] = []  # the open bullet item: its first line, then its continuation lines
    item_line, item_indent = 0, 0
    para: list[str] = []
    para_line = 0
    for offset, line in enumerate(chunk):
        number = first + offset
        bullet = blocks.strip_bullet(line)
        if bullet != line.strip():  # a new bullet
            found += _flush_item(item, item_line) + _flush_para(para, para_line, len(chunk))
            item, item_line, item_indent, para = [bullet], number, _indent(line), []
        elif item and _indent(line) > item_indent:
            item.append(line.strip())
        else:
            found += _flush_item(item, item_line)
            item = []
            if not para:
                para_line = number
            para.append(line.strip())
    return found + _flush_item(item, item_line) + _flush_para(para, para_line, len(chunk))


def _flush_item(item: list[str], line: int) -> list[blocks.Block]:
    if not item:
        return []
    head, rest = item[0], " ".join(item[1:])
    if rest and _short(head):
        return [blocks.Block(kind=Kind.ITEM, label=head, text=rest, line=line)]
    text = " ".join(item)
    if (match := _LEAD_LABEL.match(text)) and len(match[1].split()) <= 6:
        return [blocks.Block(kind=Kind.ITEM, label=match[1], text=match[2], line=line)]
    return [blocks.Block(kind=Kind.ITEM, text=text, line=line)]


def _flush_para(para: list[str], line: int, chunk_size: int) -> list[blocks.Block]:
    if not para:
        return []
    text = " ".join(para)
    # A heading stands alone between blank lines; a short line inside a chunk is not one.
    if chunk_size == 1 and _heading_like(text):
        return [blocks.Block(kind=Kind.HEADING, text=text, line=line, level=2, weak=True)]
    return [blocks.Block(kind=Kind.PARAGRAPH, text=text, line=line)]


def _short(text: str) -> bool:
    return len(text.split()) <= 12 and not text.rstrip().endswith((".", ",", ";", "!"))


def _heading_like(text: str) -> bool:
    text = blocks.clean(text)
    return bool(text) and text[0].isupper() and _short(text) and ". " not in text


def _preamble(draft: blocks.Draft, found: list[blocks.Block]) -> list[blocks.Block]:
    """Take the title, the site name and the byline off the top of the article."""
    head = 0
    while head < len(found) and (
        found[head].kind is Kind.HEADING or meta.byline(found[head].text) is not None
    ):
        head += 1
    top, rest = found[:head], found[head:]
    bylines = [i for i, b in enumerate(top) if b.kind is not Kind.HEADING]
    title_at = _title_index(draft, top, bylines)
    kept: list[blocks.Block] = []
    for index, block in enumerate(top):
        if index in bylines:
            found_by = meta.byline(block.text)
            if found_by is not None:
                draft.metadata(block.line, block.text, "the byline: author and date")
                draft.author = draft.author or found_by.author
                draft.date = draft.date or found_by.date
        elif index == title_at:
            draft.title = draft.title or blocks.clean(block.text)
            draft.metadata(block.line, block.text, "the article's title")
        elif title_at is not None and index < title_at:
            draft.skip(block.line, block.text, SITE)
        else:
            kept.append(block)
    return kept + rest


def _title_index(draft: blocks.Draft, top: list[blocks.Block], bylines: list[int]) -> int | None:
    headings = [i for i, b in enumerate(top) if b.kind is Kind.HEADING]
    if draft.title:
        same = [i for i in headings if blocks.same_words(top[i].text, draft.title)]
        return same[0] if same else None
    if bylines:
        before = [i for i in headings if i < bylines[0]]
        return before[-1] if before else None
    return headings[0] if headings else None
