"""An article kept as Markdown fragments and a JSON manifest that assembles them (a CMS export,
like the NHS's `manifest.json` with its `!file=main-content-1.md` references).

The manifest's `title` is the article's title and its `description` the opening text unless a
header fragment says it; every `!file=NAME` reference, in the manifest's order wherever it
sits, is a fragment of the body. The fragments are joined into one Markdown text, and the line
map says where each line came from, for messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drip import errors

MANIFEST = "manifest.json"
_REFERENCE = "!file="


@dataclass(frozen=True, kw_only=True)
class Assembled:
    text: str  # one Markdown article
    origins: tuple[tuple[int, str], ...]  # (first line in `text`, fragment file), in order


def is_fragments(path: Path) -> bool:
    return (path.is_dir() and (path / MANIFEST).is_file()) or path.name == MANIFEST


def assemble(path: Path) -> Assembled:
    """The fragments of the manifest at `path` (the folder, or the manifest itself) as one text."""
    manifest = path / MANIFEST if path.is_dir() else path
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise errors.ArticleError(f"{manifest}: cannot read the manifest ({exc})") from None
    if not isinstance(data, dict):
        raise errors.ArticleError(f"{manifest}: the manifest is not a JSON object")
    parts: list[tuple[str, str]] = []
    if title := _text(data.get("title")):
        parts.append((MANIFEST, f"# {title}"))
    texts = list(_values(data.get("content", data)))
    if not any(not t.startswith(_REFERENCE) for t in texts) and _text(data.get("description")):
        texts.insert(0, _text(data.get("description")))
    for text in texts:
        parts.append(_part(manifest.parent, text))
    return _join(parts)


def _part(folder: Path, text: str) -> tuple[str, str]:
    if not text.startswith(_REFERENCE):
        return MANIFEST, text
    name = text.removeprefix(_REFERENCE).strip()
    file = folder / name
    if Path(name).is_absolute() or ".." in Path(name).parts or not file.is_file():
        raise errors.ArticleError(f"{folder / MANIFEST}: {name!r} is not a fragment beside it")
    return name, file.read_text(encoding="utf-8").strip("\n")


def _join(parts: list[tuple[str, str]]) -> Assembled:
    lines: list[str] = []
    origins = []
    for name, text in parts:
        origins.append((len(lines) + 1, name))
        lines += [*text.splitlines(), ""]
    return Assembled(text="\n".join(lines), origins=tuple(origins))


def _values(node: Any) -> Iterator[str]:
    """Every `value` string under the node, depth first, in the manifest's order."""
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "value" and isinstance(child, str):
                yield child.strip()
            else:
                yield from _values(child)
    elif isinstance(node, list):
        for child in node:
            yield from _values(child)


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
