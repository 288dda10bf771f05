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
class _Item:
    title: str
    body: list[str] = field(default_factory=list)
    slug: str = ""


@dataclass(kw_only=True)
class _Section:
    title: str
    heading: blocks.Block | None = None
    body: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    lead_ins: list[str] = field(default_factory=list)
    tail_from: int | None = None  # body index where paragraphs after the last list begin
    verdict: roles.Verdict | None = None
    slug: str = ""
    # (block, item or None, how): filled while placing, resolved to slugs when frozen
    trace: list[tuple[blocks.Block, _Item | None, str]] = field(default_factory=list)

    @property
    def role(self) -> Role:
        return self.verdict.role if self.verdict else Role.INTRO

    def add_entry(self, block: blocks.Block) -> None:
        found = entries.entry(block)
        item = _Item(title=found.title, body=[found.body] if found.body else [])
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


def place(intro: tree.Node, top: list[tree.Node]) -> list[_Section]:
    """The sections, in the article's order, with their bodies and items (roles unset)."""
    found: list[_Section] = []
    if intro.blocks:
        first = _Section(title="")
        _absorb(first, intro.blocks)
        found.append(first)
    for node in top:
        found += _section(node)
    return found


def _section(node: tree.Node) -> list[_Section]:
    assert node.heading is not None
    section = _Section(title=entries.heading(node.heading.text), heading=node.heading)
    section.trace.append((node.heading, None, "the section's heading"))
    _absorb(section, node.blocks)
    promoted: list[_Section] = []
    every = any(child.children or _labelled(child) >= _CONTAINER_LABELS for child in node.children)
    for child in node.children:
        if every or roles.names_a_group(child.heading.text if child.heading else ""):
            promoted += _section(child)
        else:
            _heading_item(section, child)
    return [section, *promoted]


def _labelled(node: tree.Node) -> int:
    return sum(1 for b in node.blocks if b.kind is Kind.ITEM and b.label and not b.depth)


def _absorb(section: _Section, found: list[blocks.Block]) -> None:
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


def _heading_item(section: _Section, node: tree.Node) -> None:
    """A sub-heading and the text under it, as one item of `section`."""
    assert node.heading is not None
    item = _Item(title=entries.heading(node.heading.text))
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


def assign_roles(found: list[_Section]) -> None:
    """Each section's role (see `roles`), then the article-wide rules: risk factors that are
    the article's only list of causes become its causes; an intro or closing keeps its list
    in its body."""
    headed = frozenset(
        role
        for s in found
        if (r := roles.from_heading(s.title))[1] == roles.STRONG
        for role in [r[0]]
    )
    for index, section in enumerate(found):
        if section.heading is None:
            section.verdict = roles.Verdict(
                role=Role.INTRO, confidence=1.0, evidence=("the text before the first heading",)
            )
            continue
        facts = roles.Facts(
            heading=section.title,
            paragraphs=tuple(section.body),
            lead_ins=tuple(section.lead_ins),
            entries=tuple(" ".join([i.title, *i.body]) for i in section.items),
            first=index == 0,
            last=index == len(found) - 1,
        )
        section.verdict = roles.classify(facts, headed=headed)
    _risk_factors_as_causes(found)
    for section in found:
        if section.role in (Role.INTRO, Role.CLOSING) and section.items:
            _fold_items(section)


def _risk_factors_as_causes(found: list[_Section]) -> None:
    if any(s.role is Role.CAUSES and s.items for s in found):
        return
    if sum(1 for s in found if s.role is Role.CAUSES and s.body) >= 2:
        return  # one section per cause: the article lists them
    for section in found:
        if section.role is not Role.RISK_FACTORS or len(section.items) < 2:
            continue
        texts = section.lead_ins + [line for i in section.items for line in i.body]
        if words := roles.names_causes(texts):
            evidence = (*(section.verdict.evidence if section.verdict else ()),
                        "the article lists no causes elsewhere",
                        f'its risk factors are said to "{words}" the condition')  # fmt: skip
            section.verdict = roles.Verdict(role=Role.CAUSES, confidence=0.6, evidence=evidence)


def _fold_items(section: _Section) -> None:
    lines = [f"{i.title}: {' '.join(i.body)}" if i.body else i.title for i in section.items]
    section.body.append("\n".join(f"- {line}" for line in lines))
    section.items = []
    section.trace = [(b, None, "body" if i else how) for b, i, how in section.trace]


def freeze(
    article: str, found: list[_Section]
) -> tuple[tuple[content.Section, ...], tuple[Placement, ...]]:
    """Frozen sections with unique slugs, and where every block went."""
    closing = _closing(found[-1]) if found else []
    found = [s for s in found if s.heading is not None or s.body or s.items] + closing
    used: set[str] = set()
    frozen = []
    for section in found:
        keyed = section.role is not Role.OTHER
        key = _unique(section.role.value if keyed else content.slugify(section.title), used)
        if keyed and key != section.role.value:  # a second causes section: name it by title
            key = _unique(content.slugify(section.title), used)
        used.add(key)
        section.slug = f"{article}/{key}"
        frozen.append(_frozen(section))
    return tuple(frozen), tuple(_placements(found))


def _frozen(section: _Section) -> content.Section:
    used: set[str] = set()
    items = []
    for item in section.items:
        key = _unique(content.slugify(item.title), used)
        used.add(key)
        item.slug = f"{section.slug}/{key}"
        items.append(content.Item(slug=item.slug, title=item.title, body="\n\n".join(item.body)))
    verdict = section.verdict
    return content.Section(
        slug=section.slug, title=section.title, role=section.role,
        body="\n\n".join(section.body), items=tuple(items),
        confidence=verdict.confidence if verdict else 1.0,
        evidence=verdict.evidence if verdict else (),
    )  # fmt: skip


def _closing(last: _Section) -> list[_Section]:
    """Paragraphs after the last list of the last section, under no heading of their own."""
    if last.role is Role.CLOSING or last.tail_from is None:
        return []
    tail, last.body = last.body[last.tail_from :], last.body[: last.tail_from]
    closing = _Section(title="", body=tail)
    closing.verdict = roles.Verdict(
        role=Role.CLOSING,
        confidence=0.7,
        evidence=(
            "paragraphs after the last list of the last section, with no heading of their own",
        ),
    )
    moved = [entry for entry in last.trace if entry[1] is None and entry[2] == "body"
             and entry[0].full_text in tail]  # fmt: skip
    closing.trace = moved
    last.trace = [entry for entry in last.trace if entry not in moved]
    return [closing]


def _placements(found: list[_Section]) -> list[Placement]:
    placed = []
    for section in found:
        for block, item, how in section.trace:
            target = item.slug if item is not None else section.slug
            where = f"{how} of {target}" if how.startswith("body") else f"{how}: {target}"
            if how == "the section's heading":
                where = f"section {section.slug} [{section.role.value}]"
            placed.append(Placement(line=block.line, what=block.describe(),
                                    text=block.full_text, where=where))  # fmt: skip
    return sorted(placed, key=lambda p: p.line)


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}-{n}"
    return candidate
