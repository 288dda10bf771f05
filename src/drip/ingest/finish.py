"""The roles of the placed sections (see `roles`), the article-wide rules, and the frozen
sections with their slugs and where every block went."""

from __future__ import annotations

from drip import content
from drip.ingest import roles, sections

Placed = sections.Placed
Placement = sections.Placement

Role = content.Role


def assign_roles(found: list[Placed]) -> None:
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
            titles=tuple(i.title for i in section.items),
            first=index == 0,
            last=index == len(found) - 1,
        )
        section.verdict = roles.classify(facts, headed=headed)
    _risk_factors_as_causes(found)
    for section in found:
        if section.role in (Role.INTRO, Role.CLOSING) and section.items:
            _fold_items(section)


def _risk_factors_as_causes(found: list[Placed]) -> None:
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


def _fold_items(section: Placed) -> None:
    lines = [f"{i.title}: {' '.join(i.body)}" if i.body else i.title for i in section.items]
    section.body.append("\n".join(f"- {line}" for line in lines))
    section.items = []
    section.trace = [(b, None, "body" if i else how) for b, i, how in section.trace]


def freeze(
    article: str, found: list[Placed]
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


def _frozen(section: Placed) -> content.Section:
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


def _closing(last: Placed) -> list[Placed]:
    """Paragraphs after the last list of the last section, under no heading of their own."""
    if last.role is Role.CLOSING or last.tail_from is None:
        return []
    tail, last.body = last.body[last.tail_from :], last.body[: last.tail_from]
    closing = Placed(title="", body=tail)
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


def _placements(found: list[Placed]) -> list[Placement]:
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
