"""YAML text → located values, and the problems collected while reading them.

Reading works on ruamel's composed node graph rather than on constructed dicts: every node keeps
its own mark (so a value, a key or a list item can each be pointed at), duplicate keys are still
visible, and scalars keep the exact text the marketer typed (`after: 0`, `start: 08:00`).
Readers (`_containers`, `_scalars`) never stop at the first problem: they record it in the `Doc` and
return a harmless default, so one `drip check` lists everything that is wrong.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

from ruamel.yaml import YAML, nodes
from ruamel.yaml.error import MarkedYAMLError

from drip import errors
from drip.sequences_yaml import _syntax

_NULL = "tag:yaml.org,2002:null"
_KINDS = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    _NULL: "an empty value",
}


def quote(text: str) -> str:
    """A value as messages show it: `"3 dayz"`, line breaks visible as `\\n`."""
    return json.dumps(text, ensure_ascii=False)


def suggest(word: str, choices: list[str]) -> str:
    """`' (did you mean "from"?)'` when a choice is close to `word`, else `''`."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def join(where: str, key: str) -> str:
    """`join("clinic", "from")` → `clinic.from`; at the top level just the key."""
    return f"{where}.{key}" if where else key


@dataclass(frozen=True, kw_only=True)
class Value:
    """One node of the document, with its dotted path and the key that introduced it."""

    node: nodes.Node
    where: str
    key: nodes.Node | None = None

    @property
    def is_empty(self) -> bool:
        return isinstance(self.node, nodes.ScalarNode) and self.node.tag == _NULL

    @property
    def is_text(self) -> bool:
        return str(self.node.tag).endswith(":str")

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, nodes.MappingNode)

    @property
    def is_list(self) -> bool:
        return isinstance(self.node, nodes.SequenceNode)

    @property
    def line(self) -> int:
        return self._mark[0] + 1

    @property
    def column(self) -> int:
        return self._mark[1] + 1

    @property
    def key_value(self) -> Value:
        """The same value, located at its key (for "missing" and "unknown" problems)."""
        return Value(node=self.key or self.node, where=self.where)

    @property
    def _mark(self) -> tuple[int, int]:
        # An empty value's mark is wherever the next token starts: point at its key instead.
        node = self.key if self.is_empty and self.key is not None else self.node
        return int(node.start_mark.line), int(node.start_mark.column)

    def kind(self) -> str:
        """What the value is, for "expected …, got …" messages."""
        if isinstance(self.node, nodes.MappingNode):
            return "a mapping"
        if isinstance(self.node, nodes.SequenceNode):
            return "a list"
        return _KINDS.get(str(self.node.tag), f"the text {quote(str(self.node.value))}")


class Doc:
    """The problems found so far in one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[errors.Problem] = []

    def report(self, at: Value, message: str) -> None:
        self.problems.append(
            errors.Problem(
                file=self.file, line=at.line, column=at.column, where=at.where, message=message
            )
        )

    def report_at(self, line: int, column: int, message: str) -> None:
        self.problems.append(
            errors.Problem(file=self.file, line=line, column=column, where="", message=message)
        )

    def sorted_problems(self) -> list[errors.Problem]:
        return sorted(self.problems, key=lambda p: (p.line, p.column))


def parse(doc: Doc, text: str) -> Value | None:
    """The document's root mapping, or None after reporting why there is none."""
    try:
        root = YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        doc.report_at(*_syntax.describe(text, exc))
        return None
    if root is None:
        doc.report_at(1, 1, "the file is empty: start with `version: 1` (or run drip generate)")
        return None
    value = Value(node=root, where="")
    if not isinstance(root, nodes.MappingNode):
        doc.report(
            value,
            f"the file must be a mapping of keys (version, article, clinic, …), "
            f"but it is {value.kind()}: start with `version: 1`",
        )
        return None
    return value


def compose(text: str) -> nodes.Node | None:
    """The document's node graph, or None when it cannot be read."""
    try:
        node: nodes.Node | None = YAML(typ="rt").compose(text)
    except MarkedYAMLError:
        return None
    return node


def find(text: str, where: str, root: nodes.Node | None = None) -> Value | None:
    """The node at a dotted path (`sequences.muscle-injury.steps[1].id`), or None; `root`, when
    given, is the document already composed from `text`."""
    node = root if root is not None else compose(text)
    value = None if node is None else Value(node=node, where="")
    for key, index in _PATH.findall(where):
        if value is None:
            break
        value = _child(value, key, int(index) if index else None)
    return value


_PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _child(value: Value, key: str, index: int | None) -> Value | None:
    if index is not None and isinstance(value.node, nodes.SequenceNode):
        children = value.node.value
        return Value(node=children[index], where="") if index < len(children) else None
    if index is None and isinstance(value.node, nodes.MappingNode):
        matching = ((k, v) for k, v in pairs(value.node) if str(k.value) == key)
        return next((Value(node=v, where="", key=k) for k, v in matching), None)
    return None


MERGE = "tag:yaml.org,2002:merge"


def pairs(node: nodes.MappingNode) -> list[tuple[nodes.Node, nodes.Node]]:
    """The (key, value) nodes of a mapping, with merged-in keys after the explicit ones."""
    explicit = [(k, v) for k, v in node.value if k.tag != MERGE]
    given = {str(k.value) for k, _ in explicit}
    merged: list[tuple[nodes.Node, nodes.Node]] = []
    for key, value in node.value:
        if key.tag == MERGE:
            for source in value.value if isinstance(value, nodes.SequenceNode) else [value]:
                if isinstance(source, nodes.MappingNode):
                    merged.extend(pairs(source))
    for key, value in merged:
        if str(key.value) not in given:
            given.add(str(key.value))
            explicit.append((key, value))
    return explicit


def last_line(node: nodes.Node) -> int:
    """The last line (0-based) holding any of `node`'s own text: comments after it excluded."""
    if isinstance(node, nodes.ScalarNode):
        end = node.end_mark
        return int(end.line) if end.column > 0 else max(int(end.line) - 1, node.start_mark.line)
    children: list[nodes.Node] = []
    if isinstance(node, nodes.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, nodes.SequenceNode):
        children = list(node.value)
    return max([int(node.start_mark.line), *(last_line(child) for child in children)])
