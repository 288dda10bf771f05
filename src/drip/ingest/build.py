"""From a parser's flat blocks to the article tree, the same way for every format.

    blocks ─ tidy, chrome ─▶ outline (tree) ─▶ sections and items ─▶ roles ─▶ Article

A section is a heading at the article's section level (`tree`). What it heads becomes its body
and its items: each list entry (`entries` finds its title), each labelled paragraph, each
sub-heading with the text under it; a list inside an entry stays in the entry's body, as a
list. A sub-heading becomes a section of its own when it names a group (`Other causes of back
pain`), and all of them do when one holds a labelled list of its own (`Personalized Treatment
Plans:` with its five treatments). Text before the first heading is the intro (all of it,
when the article has no headings); paragraphs after the last list of the last section, with
no heading of their own, are the closing. Every block's destination is kept for
`drip ingest --explain`; nothing is invented, and what fits nowhere is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from drip import content
from drip.ingest import blocks, chrome, finish, sections, tidy, tree

Placement = sections.Placement


@dataclass(frozen=True, kw_only=True)
class Built:
    article: content.Article
    placements: tuple[Placement, ...]
    # For an article assembled from fragments: (first line, fragment file), to name places.
    origins: tuple[tuple[int, str], ...] = ()

    def place(self, line: int) -> str:
        """`line 12`, or `main-content-1.md:4` for an article read from fragments."""
        if not self.origins:
            return f"line {line}"
        name, first = next(((n, f) for f, n in reversed(self.origins) if f <= line),
                           (self.origins[0][1], 1))  # fmt: skip
        return f"{name}:{line - first + 1}"


def build(draft: blocks.Draft) -> Built:
    """The article tree for a parser's draft (the draft's unplaced list is extended)."""
    kept = chrome.remove(draft, tidy.tidy(draft))
    intro, top = tree.outline(kept)
    drafts = sections.place(intro, top)
    finish.assign_roles(drafts)
    frozen, placements = finish.freeze(draft.slug, drafts)
    article = content.Article(
        slug=draft.slug,
        title=draft.title,
        author=draft.author,
        date=draft.date,
        sections=frozen,
        unplaced=tuple(sorted(draft.unplaced, key=lambda u: u.line)),
        source=draft.source,
    )
    taken = tuple(
        Placement(line=line, what="metadata", text=text, where=what)
        for line, text, what in draft.taken
    )
    return Built(article=article, placements=tuple(sorted(placements + taken, key=_line)))


def _line(placement: Placement) -> int:
    return placement.line
