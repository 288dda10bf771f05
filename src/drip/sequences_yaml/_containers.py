"""Generic shapes: mappings with known keys, lists, text values; each reports what is wrong.

A mapping may pull keys from an anchor with YAML's merge key (`<<: *step_defaults`): keys
written in the mapping win, and a merged value is located where the anchor wrote it.
"""

from __future__ import annotations

from ruamel.yaml import nodes

from drip.sequences_yaml import _located


def entries(doc: _located.Doc, value: _located.Value) -> list[tuple[str, _located.Value]]:
    """The (key, value) pairs of a mapping, in order; reports duplicates and a wrong type."""
    if not isinstance(value.node, nodes.MappingNode):
        doc.report(value, f"expected a mapping (indented `key: value` lines), got {value.kind()}")
        return []
    _check_merges(doc, value)
    seen: dict[str, int] = {}
    found: list[tuple[str, _located.Value]] = []
    for key_node, value_node in _located.pairs(value.node):
        key = str(key_node.value)
        child = _located.Value(node=value_node, where=_located.join(value.where, key), key=key_node)
        if key in seen:
            doc.report(
                child.key_value,
                f"duplicate key {_located.quote(key)} (first at line {seen[key]}): keep only one",
            )
            continue
        seen[key] = child.key_value.line
        found.append((key, child))
    return found


def _check_merges(doc: _located.Doc, value: _located.Value) -> None:
    for key, merged in value.node.value:
        sources = merged.value if isinstance(merged, nodes.SequenceNode) else [merged]
        if key.tag == _located.MERGE and not all(isinstance(s, nodes.MappingNode) for s in sources):
            at = _located.Value(node=merged, where=_located.join(value.where, "<<"))
            doc.report(at, "<< merges a mapping: write `<<: *name` for a mapping `&name`")


def fields(
    doc: _located.Doc,
    value: _located.Value,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    examples: dict[str, str] | None = None,
) -> dict[str, _located.Value]:
    """A mapping with a fixed set of keys: reports unknown and missing keys (a missing key's
    message gives `examples[key]`, else the usual example for that key)."""
    known = [*required, *optional]
    found: dict[str, _located.Value] = {}
    for key, child in entries(doc, value):
        if key in known:
            found[key] = child
        elif hint := _located.suggest(key, known):
            doc.report(child.key_value, f"unknown key {_located.quote(key)}{hint}")
        else:
            doc.report(
                child.key_value,
                f"unknown key {_located.quote(key)}: remove it (known: {', '.join(known)})",
            )
    if isinstance(value.node, nodes.MappingNode):
        for key in required:
            if key not in found:
                at = _located.Value(
                    node=value.key or value.node, where=_located.join(value.where, key)
                )
                example = (examples or {}).get(key) or _EXAMPLES[key]
                doc.report(at, f"missing key {_located.quote(key)}: add it ({example})")
    return found


def items(doc: _located.Doc, value: _located.Value, *, hint: str = "") -> list[_located.Value]:
    """The items of a list; reports a value that is not a list."""
    if not isinstance(value.node, nodes.SequenceNode):
        advice = hint or 'one item per line starting with "- ", or [a, b]'
        doc.report(value, f"expected a list, got {value.kind()}: write {advice}")
        return []
    return [
        _located.Value(node=node, where=f"{value.where}[{index}]")
        for index, node in enumerate(value.node.value)
    ]


def text(doc: _located.Doc, value: _located.Value, *, empty_ok: bool = False) -> str:
    """A scalar as typed (numbers and booleans included); reports lists, mappings, empties."""
    if value.is_empty and empty_ok:
        return ""
    if value.is_empty or not isinstance(value.node, nodes.ScalarNode):
        doc.report(value, f"expected a text value, got {value.kind()}: write it after the colon")
        return ""
    raw = str(value.node.value)
    # ruamel's round-trip reader marks where a folded (`>`) scalar was folded with "\a".
    return raw.replace("\a", "") if value.node.style == ">" else raw


_EXAMPLES = {
    "version": "version: 1",
    "article": "e.g. article: articles/back-spasms.txt",
    "clinic": "the clinic's name, from, postal_address, booking_url, base_url and timezone",
    "confirmation": "a template and a subject for the double opt-in email",
    "causes": "the list of causes shown on the sign-up form, each with a slug and a label",
    "sequences": "one sequence of steps per cause",
    "name": "e.g. name: Winternheimer Chiropractic",
    "from": 'e.g. from: "Clinic Name <tips@clinic.example>"',
    "postal_address": "required in every email: the clinic's street address",
    "booking_url": "e.g. booking_url: https://clinic.example/book",
    "base_url": "where drip's web app answers, e.g. base_url: https://tips.clinic.example",
    "timezone": "e.g. timezone: America/Chicago",
    "days": "e.g. days: [mon, tue, wed, thu, fri]",
    "start": 'e.g. start: "08:00"',
    "end": 'e.g. end: "20:00"',
    "template": "a file name in templates/emails/, e.g. template: tip.mjml.j2",
    "subject": "the line patients see in their inbox",
    "slug": "e.g. slug: muscle-injury",
    "label": "the text shown on the sign-up form",
    "steps": "the list of emails of this sequence",
    "id": "a stable slug, e.g. id: heat-and-ice",
    "after": "the delay after the previous step, e.g. after: 2d",
}
