"""From a parser's flat blocks to the article tree, the same way for every format.

Sections start at the article's section heading level; deeper headings inside a section are
items (`### Heat and Ice` under `## Treatments`), and so are list entries with a bold label
(`- **Heat and Ice** …`). Text before the first section heading is the intro; paragraphs after
the last list of the last section, with no heading of their own, are the closing. Nothing is
invented: text that fits nowhere is reported in `Article.unplaced`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drip import content
from drip.ingest import blocks, roles, tidy

Kind = blocks.Kind
NO_HEADINGS = "no section headings in the article: cannot tell intro, causes and treatments apart"
_MAX_LABEL_WORDS = 12


@dataclass(kw_only=True)
class _Item:
    title: str
    body: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class _Section:
    title: str
    role: content.Role
    body: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    heading_item: _Item | None = None  # the `###` item that takes the paragraphs now
    in_list: bool = False
    tail_from: int | None = None  # body index where paragraphs after the last list begin

    def add(self, block: blocks.Block, section_level: int) -> None:
        if block.kind is Kind.RULE:  # what follows belongs to the section again, after a list
            self.heading_item, self.in_list = None, bool(self.items) or self.in_list
        elif block.kind is Kind.HEADING and block.level > section_level:
            self.heading_item = _Item(title=block.text.rstrip(":"))
            self.items.append(self.heading_item)
            self.tail_from = None
        elif block.kind is Kind.ITEM and _is_label(block.label) and self.heading_item is None:
            self.items.append(_Item(title=block.label.rstrip(":"), body=[block.text]))
            self.in_list, self.tail_from = True, None
        elif block.kind is Kind.ITEM:
            entry = f"{block.label} {block.text}".strip()
            _add_entry(self._target(), entry)
            self.in_list, self.tail_from = self.heading_item is None, None
        else:
            target = self._target()
            if self.heading_item is None and self.in_list:
                self.in_list, self.tail_from = False, len(target)
            target.append(block.text)

    def _target(self) -> list[str]:
        return self.heading_item.body if self.heading_item else self.body


def _is_label(label: str) -> bool:
    return bool(label) and len(label.split()) <= _MAX_LABEL_WORDS


def _add_entry(body: list[str], entry: str) -> None:
    if body and body[-1].startswith("- "):  # the list goes on
        body[-1] += f"\n- {entry}"
    else:
        body.append(f"- {entry}")


def build(draft: blocks.Draft) -> content.Article:
    """The article tree for a parser's draft (the draft's unplaced list is extended)."""
    kept = tidy.tidy(draft)
    headings = [b for b in kept if b.kind is Kind.HEADING]
    kept_text = [b for b in kept if b.kind is not Kind.RULE]
    if headings:
        sections = _sections(kept, _section_level(headings))
    else:
        sections = []
        for block in kept_text:
            draft.skip(block.line, f"{block.label} {block.text}".strip(), NO_HEADINGS)
    return content.Article(
        slug=draft.slug,
        title=draft.title,
        author=draft.author,
        date=draft.date,
        sections=_freeze(draft.slug, sections),
        unplaced=tuple(sorted(draft.unplaced, key=lambda u: u.line)),
        source=draft.source,
    )


def _section_level(headings: list[blocks.Block]) -> int:
    """The level sections start at. A lone top heading with no role is a part title, not a
    section level, when several headings share the next level (`# What Is Back Pain?`)."""
    levels = sorted({h.level for h in headings})
    top = [h for h in headings if h.level == levels[0]]
    below = [h for h in headings if len(levels) > 1 and h.level == levels[1]]
    if len(top) == 1 and len(below) >= 2 and roles.role_for(top[0].text) is content.Role.OTHER:
        return levels[1]
    return levels[0]


def _sections(kept: list[blocks.Block], level: int) -> list[_Section]:
    sections: list[_Section] = []
    current = _Section(title="", role=content.Role.INTRO)
    for block in kept:
        if block.kind is Kind.HEADING and block.level <= level:
            sections.append(current)
            title = block.text.rstrip(":").strip()
            current = _Section(title=title, role=roles.role_for(title))
        else:
            current.add(block, level)
    sections.append(current)
    sections = [s for s in sections if s.role is not content.Role.INTRO or s.body or s.items]
    return sections + _closing(sections[-1]) if sections else sections


def _closing(last: _Section) -> list[_Section]:
    """Paragraphs after the last list of the last section, under no heading of their own."""
    if last.role is content.Role.CLOSING or last.tail_from is None:
        return []
    tail, last.body = last.body[last.tail_from :], last.body[: last.tail_from]
    return [_Section(title="", role=content.Role.CLOSING, body=tail)]


def _freeze(article: str, sections: list[_Section]) -> tuple[content.Section, ...]:
    used: set[str] = set()
    frozen = []
    for section in sections:
        keyed = section.role is not content.Role.OTHER
        key = _unique(section.role.value if keyed else content.slugify(section.title), used)
        if keyed and key != section.role.value:  # a second causes section: name it by title
            key = _unique(content.slugify(section.title), used)
        used.add(key)
        slug = f"{article}/{key}"
        frozen.append(content.Section(
            slug=slug, title=section.title, role=section.role,
            body="\n\n".join(section.body), items=_items(slug, section.items),
        ))  # fmt: skip
    return tuple(frozen)


def _items(section: str, items: list[_Item]) -> tuple[content.Item, ...]:
    used: set[str] = set()
    frozen = []
    for item in items:
        key = _unique(content.slugify(item.title), used)
        used.add(key)
        frozen.append(content.Item(
            slug=f"{section}/{key}", title=item.title, body="\n\n".join(item.body)
        ))  # fmt: skip
    return tuple(frozen)


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}-{n}"
    return candidate
