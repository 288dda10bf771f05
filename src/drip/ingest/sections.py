"""Sections and items from the outline's nodes; their roles; their slugs (see `build`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from drip import content
from drip.ingest import blocks, entries, roles, tree

Kind = blocks.Kind
Role = content.Role
_CONTAINER_LABELS = 2  # a sub-heading with this many labelled entries holds items of its own
_CONDITION_LEAD_IN = re.compile(r"\b(?:if|when|unless)\b[^.!?]*:\s*$", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where one block of the source went: `where` names a section, an item or a body."""

    line: int
    what: str  # "heading 2", "list entry", …
    text: str
    where: str


@dataclass(kw_only=True)
class PlacedItem:
    title: str
    body: list[str] = field(default_factory=list)
    slug: str = ""


@dataclass(kw_only=True)
class Placed:
    title: str
    heading: blocks.Block | None = None
    body: list[str] = field(default_factory=list)
    items: list[PlacedItem] = field(default_factory=list)
    lead_ins: list[str] = field(default_factory=list)
    tail_from: int | None = None  # body index where paragraphs after the last list begin
    verdict: roles.Verdict | None = None
    slug: str = ""
    # (block, item or None, how): filled while placing, resolved to slugs when frozen
    trace: list[tuple[blocks.Block, PlacedItem | None, str]] = field(default_factory=list)

    @property
    def role(self) -> Role:
        return self.verdict.role if self.verdict else Role.INTRO

    def add_entry(self, block: blocks.Block) -> None:
        found = entries.entry(block)
        item = PlacedItem(title=found.title, body=[found.body] if found.body else [])
        self.items.append(item)
        self.tail_from = None
        self.trace.append((block, item, f"an item, titled by {found.shape}"))

    def add_nested(self, block: blocks.Block, *, as_item: bool = True) -> None:
        """An entry inside an entry (a list line in the body of the entry above), or an entry
        of a list that completes a sentence (a list line in the section's body)."""
        item = self.items[-1] if self.items and as_item else None
        _add_list_line(item.body if item else self.body, block.full_text)
        self.trace.append((block, item, "body, as a list"))

    def add_paragraph(self, block: blocks.Block) -> None:
        if self.items and self.tail_from is None:
            self.tail_from = len(self.body)
        self.body.append(block.full_text)
        self.trace.append((block, None, "body"))


def _add_list_line(body: list[str], text: str) -> None:
    if body and body[-1].startswith("- "):
        body[-1] += f"\n- {text}"
    else:
        body.append(f"- {text}")


def place(intro: tree.Node, top: list[tree.Node]) -> list[Placed]:
    """The sections, in the article's order, with their bodies and items (roles unset)."""
    found: list[Placed] = []
    if intro.blocks:
        first = Placed(title="")
        _absorb(first, intro.blocks)
        found.append(first)
    for node in top:
        found += _section(node)
    return found


def _section(node: tree.Node) -> list[Placed]:
    assert node.heading is not None
    section = Placed(title=entries.heading(node.heading.text), heading=node.heading)
    section.trace.append((node.heading, None, "the section's heading"))
    _absorb(section, node.blocks)
    promoted: list[Placed] = []
    every = any(child.children or _labelled(child) >= _CONTAINER_LABELS for child in node.children)
    for child in node.children:
        if every or roles.names_a_group(child.heading.text if child.heading else ""):
            promoted += _section(child)
        else:
            _heading_item(section, child)
    return [section, *promoted]


def _labelled(node: tree.Node) -> int:
    return sum(1 for b in node.blocks if b.kind is Kind.ITEM and b.label and not b.depth)


def _absorb(section: Placed, found: list[blocks.Block]) -> None:
    """Put the blocks a section's heading heads (before any sub-heading) into it. A list that
    completes a condition ("… discuss surgery if your symptoms:") stays in the body."""
    previous: blocks.Block | None = None
    clauses = False  # the open list finishes the sentence before it
    for block in found:
        if block.kind is Kind.RULE:
            previous = block
            continue
        if block.kind is Kind.ITEM and previous is not None and previous.kind is Kind.PARAGRAPH:
            clauses = bool(_CONDITION_LEAD_IN.search(previous.text))
        if block.kind is Kind.ITEM and (clauses or (block.depth and section.items)):
            section.add_nested(block, as_item=not clauses)
        elif block.kind is Kind.ITEM:
            if previous is not None and previous.kind is Kind.PARAGRAPH:
                section.lead_ins.append(previous.text)
            section.add_entry(block)
        else:
            section.add_paragraph(block)
        previous = block


def _heading_item(section: Placed, node: tree.Node) -> None:
    """A sub-heading and the text under it, as one item of `section`."""
    assert node.heading is not None
    item = PlacedItem(title=entries.heading(node.heading.text))
    section.items.append(item)
    section.tail_from = None
    section.trace.append((node.heading, item, "an item, titled by its heading"))
    ended = False
    for block in _flatten(node):
        if block.kind is Kind.RULE:
            ended = True
        elif ended:  # after a rule: the section's again
            section.add_paragraph(block)
        elif block.kind is Kind.ITEM:
            _add_list_line(item.body, block.full_text)
            section.trace.append((block, item, "body, as a list"))
        else:
            item.body.append(block.full_text)
            section.trace.append((block, item, "body"))


def _flatten(node: tree.Node) -> list[blocks.Block]:
    found = list(node.blocks)
    for child in node.children:
        found += ([child.heading] if child.heading else []) + _flatten(child)
    return found
