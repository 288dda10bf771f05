"""Artifacts that copy-paste and page templates leave in an article, found by shape, not by text.

- glued alt text: an image's alt text pasted straight onto the next paragraph
  (`"back spasmsThe structure of …"`): a lowercase run, then a capitalised word with no space,
  where the run only repeats words of the article's title;
- captions: a short lowercase line with no sentence punctuation standing between blocks;
- whitespace: non-breaking, doubled and trailing spaces.
Everything taken out is reported as unplaced, with its line, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import re

from drip.ingest import blocks

_GLUED = re.compile(r"^([a-z][a-z' -]*[a-z])(?=[A-Z][a-z])")
_SENTENCE_MARKS = re.compile(r"[.!?:;,]")
_WORD = re.compile(r"[a-z0-9]+")

GLUED_ALT = "image alt text glued to the start of a paragraph (it repeats words of the title)"
CAPTION = "looks like an image caption (a short line with no sentence punctuation); fits no item"
FIGURE = "figure caption, not article text"


def tidy(draft: blocks.Draft) -> list[blocks.Block]:
    """The draft's blocks, cleaned; artifacts moved to `draft.unplaced`."""
    title_words = _stems(draft.title)
    kept: list[blocks.Block] = []
    for block in draft.blocks:
        text, label = blocks.clean(block.text), blocks.clean(block.label)
        if block.kind is blocks.Kind.CAPTION:
            if text:
                draft.skip(block.line, text, FIGURE)
            continue
        if block.kind is blocks.Kind.PARAGRAPH:
            text = _unglue(draft, block.line, text, title_words)
            if looks_like_caption(text):
                draft.skip(block.line, text, CAPTION)
                continue
        if text or label or block.kind is blocks.Kind.RULE:
            kept.append(dataclasses.replace(block, text=text, label=label))
    return kept


def looks_like_caption(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 8 and text[0].islower() and not _SENTENCE_MARKS.search(text)


def _unglue(draft: blocks.Draft, line: int, text: str, title_words: set[str]) -> str:
    match = _GLUED.match(text)
    if match is None or not title_words:
        return text
    run = match[1]
    if not _stems(run) <= title_words:
        return text
    draft.skip(line, run, GLUED_ALT)
    return text[match.end() :]


def _stems(text: str) -> set[str]:
    # "spasm" and "spasms" count as the same word.
    return {word.removesuffix("s") for word in _WORD.findall(text.lower())}
