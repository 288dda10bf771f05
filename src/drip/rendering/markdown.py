"""A step's `body:` (Markdown) → the same blocks the article's text becomes.

    blocks("Cool it **early**.\n\n- 15 minutes\n- a towel", title="Heat and ice")

Paragraphs, bullet and numbered lists, `#`…`######` headings, bold, italics and links. Text
before the first heading is a block titled `title` (the step's content title, so a tip keeps
its heading); each heading starts a block of its own (`#`, `##`: level 1; deeper: level 2).
Raw HTML is shown as text, never as markup; an image is reported by `images` and not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from drip.rendering import model

_MD = MarkdownIt("commonmark", {"html": False})


@dataclass
class _Block:
    title: str
    level: int
    parts: list[model.Part] = field(default_factory=list)


def blocks(body: str, *, title: str) -> list[model.Block]:
    """The body's blocks, in order (see the module's docstring)."""
    found = [_Block(title=title, level=1)]
    tokens = _MD.parse(body)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = 1 if token.tag in ("h1", "h2") else 2
            found.append(_Block(title=_plain(tokens[index + 1]), level=level))
            index += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            entries, index = _list(tokens, index)
            found[-1].parts.append(_list_part(entries))
        elif token.type == "paragraph_open":
            found[-1].parts.append(_paragraph(_spans(tokens[index + 1])))
            index += 3
        else:
            index += 1
    kept = [b for b in found if b.parts or b is not found[0]]
    return [model.Block(slug="", title=b.title, parts=tuple(b.parts), level=b.level) for b in kept]


def links(body: str) -> list[str]:
    """Every link target in the body, in order (for `drip check`: https only)."""
    return [
        str(child.attrs.get("href", ""))
        for token in _MD.parse(body)
        for child in token.children or []
        if child.type == "link_open"
    ]


def images(body: str) -> list[str]:
    """The sources of the images in the body (not shown: `drip check` reports them)."""
    return [
        str(child.attrs.get("src", ""))
        for token in _MD.parse(body)
        for child in token.children or []
        if child.type == "image"
    ]


def _list(tokens: list[Token], start: int) -> tuple[list[model.Spans], int]:
    """The entries of the list opening at `start` (nested lists flattened into it)."""
    entries: list[model.Spans] = []
    depth, index = 0, start
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                return entries, index + 1
        elif token.type == "inline":
            entries.append(_spans(token))
        index += 1
    return entries, index


def _paragraph(spans: model.Spans) -> model.Part:
    text = "".join(span.text for span in spans)
    return model.Part(kind=model.PartKind.PARAGRAPH, text=text, spans=spans)


def _list_part(entries: list[model.Spans]) -> model.Part:
    return model.Part(
        kind=model.PartKind.LIST,
        entries=tuple("".join(span.text for span in entry) for entry in entries),
        entry_spans=tuple(entries),
    )


def _plain(inline: Token) -> str:
    return "".join(span.text for span in _spans(inline))


def _spans(inline: Token) -> model.Spans:
    spans: list[model.Span] = []
    strong = em = 0
    href = ""
    for child in inline.children or []:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            strong += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            em += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            href = ""
        elif kind in ("text", "code_inline", "html_inline"):
            spans.append(
                model.Span(text=child.content, href=href, strong=bool(strong), em=bool(em))
            )
        elif kind in ("softbreak", "hardbreak"):
            spans.append(model.Span(text=" ", href=href))
    return tuple(_merge(spans))


def _merge(spans: list[model.Span]) -> list[model.Span]:
    """Neighbouring spans of the same style as one (markdown-it splits text at punctuation)."""
    merged: list[model.Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and (last.href, last.strong, last.em) == (span.href, span.strong, span.em):
            merged[-1] = model.Span(
                text=last.text + span.text, href=span.href, strong=span.strong, em=span.em
            )
        else:
            merged.append(span)
    return merged
