"""The article's outline: headings nested by level, each with the blocks it heads.

Levels are relative to the article's own title (a parser has taken it out, and what stood above
it): sections start at the shallowest level, except that a lone heading there that names no
role, over several headings of the next level (`# What Is Back Pain?` over the `##` sections),
is a part title: a section of its own, with the next level's headings as sections. Deeper
headings nest under their section. Headings whose level is a guess (bold lines, short lines of
a text file) are placed by what they say: one that names a role opens a section; one that does
not, with a paragraph or two under it, is an entry of the section it follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drip.ingest import blocks, roles

Kind = blocks.Kind
_MAX_ENTRY_BLOCKS = 2  # a guessed heading with more text under it than this opens a section


@dataclass(kw_only=True)
class Node:
    heading: blocks.Block | None  # None for the text before the first heading
    blocks: list[blocks.Block] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def outline(found: list[blocks.Block]) -> tuple[Node, list[Node]]:
    """The text before the first heading, and the top-level section nodes."""
    depths = _depths(found)
    intro = Node(heading=None)
    top: list[Node] = []
    stack: list[tuple[int, Node]] = []
    for index, block in enumerate(found):
        if block.kind is not Kind.HEADING:
            (stack[-1][1] if stack else intro).blocks.append(block)
            continue
        depth = depths[index]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        node = Node(heading=block)
        (stack[-1][1].children if stack else top).append(node)
        stack.append((depth, node))
    return intro, top


def _depths(found: list[blocks.Block]) -> dict[int, int]:
    """Each heading's depth (0 = a section), by its index in `found`."""
    headings = [(i, b) for i, b in enumerate(found) if b.kind is Kind.HEADING]
    if headings and all(b.weak for _, b in headings):
        return _guessed_depths(found, headings)
    levels = sorted({b.level for _, b in headings})
    section = _section_level(levels, [b for _, b in headings])
    deeper = [level for level in levels if level > section]
    return {i: 0 if b.level <= section else 1 + deeper.index(b.level) for i, b in headings}


def _section_level(levels: list[int], headings: list[blocks.Block]) -> int:
    """The shallowest level, unless a lone heading there names no role and a deeper level has
    several headings: then it is a part title over the sections (`# What Is Back Pain?`)."""
    for n, level in enumerate(levels):
        at = [h for h in headings if h.level == level]
        below = [h for h in headings if n + 1 < len(levels) and h.level == levels[n + 1]]
        lone_part = len(at) == 1 and len(below) >= 2 and not roles.from_heading(at[0].text)[1]
        if not lone_part:
            return level
    return levels[-1] if levels else 0


def _guessed_depths(
    found: list[blocks.Block], headings: list[tuple[int, blocks.Block]]
) -> dict[int, int]:
    depths: dict[int, int] = {}
    open_role = False  # the section above was opened by a heading that names a role
    for n, (index, block) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(found)
        under = [b for b in found[index + 1 : end] if b.kind is not Kind.RULE]
        names_role = roles.from_heading(block.text)[1] > 0
        entry = open_role and not names_role and 0 < len(under) <= _MAX_ENTRY_BLOCKS
        depths[index] = 1 if entry else 0
        if not entry:
            open_role = names_role
    return depths
