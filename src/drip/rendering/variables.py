"""The names a subject, a preheader or a template uses that its context does not offer, each
with its line and the name most likely meant (`first_nam` → `subscriber.first_name`).

Read from the Jinja source, not from a failed render: the line is the one the name is on, and
every unknown name is found, not only the first. A name the template defines itself (a loop
variable, `{% set %}`, a macro's argument) is its own business and is not checked.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import jinja2
from jinja2 import nodes


@dataclass(frozen=True, kw_only=True)
class Unknown:
    name: str  # as written: "subscriber.first_nam"
    line: int  # 1-based, in the source given
    suggestion: str  # the known name most likely meant, or ""

    def message(self) -> str:
        advice = f": did you mean {self.suggestion}?" if self.suggestion else ""
        return f"{{{{ {self.name} }}}} is not a value drip provides{advice}"


def unknown(env: jinja2.Environment, source: str, known: list[str]) -> list[Unknown]:
    """The unknown names in `source`, in order; `known` lists the dotted names offered.
    A source Jinja cannot parse has none (rendering reports its syntax error)."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return []
    own = _defined(tree)
    offered = set(known)
    tops = {name.split(".")[0] for name in known}
    found: list[Unknown] = []
    seen: set[str] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Name)):
        path = _path(node)
        if path is None or path.split(".")[0] in own or path in seen:
            continue
        if _is_known(path, offered, tops):
            continue
        seen.add(path)
        found.append(Unknown(name=path, line=node.lineno, suggestion=suggest(path, known)))
    return _outermost(found)


def _defined(tree: nodes.Template) -> set[str]:
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    return names | {"loop", "self", "super", "varargs", "kwargs", "caller", "true", "false"}


def _path(node: nodes.Node) -> str | None:
    """`subscriber.first_name` for a chain of attributes on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    return ".".join([node.name, *reversed(parts)])


def _is_known(path: str, offered: set[str], tops: set[str]) -> bool:
    """A known name, a part of one (`clinic`), or a deeper use of a known leaf's own value
    (`topic.upper`, a string's method)."""
    if path in offered or any(name.startswith(path + ".") for name in offered):
        return True
    parts = path.split(".")
    return any(".".join(parts[:n]) in offered for n in range(1, len(parts))) and (parts[0] in tops)


def _outermost(found: list[Unknown]) -> list[Unknown]:
    """`a.b.c` and `a.b` from one chain: keep the longest, as the patient's mistake reads."""
    names = [u.name for u in found]
    return [u for u in found if not any(n != u.name and n.startswith(u.name + ".") for n in names)]


def suggest(name: str, known: list[str]) -> str:
    """The known name closest to `name` (or to a part of one: `step`), by the whole name, else
    by its last part."""
    parts = {".".join(k.split(".")[:n]) for k in known for n in range(1, k.count(".") + 2)}
    close = difflib.get_close_matches(name, sorted(parts), n=1, cutoff=0.6)
    if close:
        return close[0]
    leaf = name.split(".")[-1]
    leaves = {k.split(".")[-1]: k for k in sorted(known, key=len, reverse=True)}
    by_leaf = difflib.get_close_matches(leaf, list(leaves), n=1, cutoff=0.75)
    return leaves[by_leaf[0]] if by_leaf else ""
