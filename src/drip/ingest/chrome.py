"""Page chrome that reaches the article's text, in any format, found by its shape and its role
on a page, never by one site's words: reference lists and "related posts" (a heading and what
it heads), share lines, newsletter and promotion boxes (with the list they introduce), page
metadata written as text (`**Source URL**: …`), abbreviation definitions (`*[A&E]: …`),
attribute lists (`{.list--check}`) and template placeholders (`{{ findersBaseUrl }}`).

Everything taken out is reported in the draft's unplaced list with its line and the reason.
"""

from __future__ import annotations

import dataclasses
import re

from drip.ingest import blocks

Kind = blocks.Kind

PLACEHOLDER = "a template placeholder, not article text"
ATTRIBUTES = "a Markdown attribute list, not article text"
ABBREVIATION = "an abbreviation definition, not article text"
METADATA = "page metadata written as text ({label}), not article text"
SHARE = "share buttons or a follow-us line, not article text"
PROMO = "a newsletter, app or community promotion, not article text"
HEADED = "{what} (under {heading!r}), not article text"

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_ATTRIBUTES = re.compile(r"\{[.#][\w\s.#=:-]*\}")
_ABBREVIATION = re.compile(r"^\*\[[^\]]+\]:")
# A Markdown link the parser could not read as one (a placeholder put spaces in its target).
_LINK_TEXT = re.compile(r"^\[[^\]]+\]\([^)]*\)$")
LINK_ALONE = "a link on its own (a button, a call to action, a service link), not article text"
CITATION = "a citation marker, not article text"
_METADATA = re.compile(
    r"^(?:source(?: url)?|url|link|canonical|description|meta description|excerpt|keywords"
    r"|tags|categories|author|written by|date|published|updated|last updated|reviewed by"
    r"|medically reviewed by)$",
    re.IGNORECASE,
)
_SHARE = re.compile(r"^(?:share(?: this)?(?: post| article| page)?|follow us|tweet)\b", re.I)
_PROMO = re.compile(
    r"\b(?:connect with us|follow us|sign up (?:for|to)|subscribe (?:to|for)|newsletter"
    r"|download (?:our|the) app|mobile app|join (?:us|our|\w+ on))\b",
    re.IGNORECASE,
)
# Headings whose whole section is chrome: what it is, by the heading's words.
_HEADED = (
    ("a reference list", re.compile(
        r"^(?:references?|sources?|citations?|bibliography|works cited|footnotes"
        r"|how we reviewed this article)\b", re.I)),
    ("related posts", re.compile(
        r"^(?:related(?: posts| articles| reading)?|read (?:this )?next|more (?:in|from)(?:\s|$)"
        r"|you (?:may|might) also like|recommended(?: for you)?|popular posts|recent posts)",
        re.I)),
    ("comments", re.compile(r"^(?:comments?|leave a (?:reply|comment))\b", re.I)),
    ("a newsletter box", re.compile(r"^(?:subscribe|newsletter|sign up)\b", re.I)),
    ("share buttons", _SHARE),
    ("an author box", re.compile(r"^about the author\b", re.I)),
)  # fmt: skip


def remove(draft: blocks.Draft, found: list[blocks.Block]) -> list[blocks.Block]:
    """`found` without its chrome; every removal reported in `draft.unplaced`."""
    kept: list[blocks.Block] = []
    skipping: tuple[int, str, str] | None = None  # level, what, heading of a chrome section
    promo = False  # the last block was a promotion: the list it introduces goes with it
    seen_heading = False
    for block in found:
        if block.kind is Kind.HEADING and skipping and block.level <= skipping[0]:
            skipping = None
        if skipping is not None:
            draft.skip(
                block.line, block.full_text, HEADED.format(what=skipping[1], heading=skipping[2])
            )
            continue
        if block.kind is Kind.HEADING and (what := _headed(block.text)):
            skipping = (block.level, what, block.text)
            draft.skip(block.line, block.text, HEADED.format(what=what, heading=block.text))
            continue
        if promo and block.kind is Kind.ITEM:
            draft.skip(block.line, block.full_text, PROMO)
            continue
        cleaned = _clean_text(draft, block)
        reason = _whole_block(cleaned, at_top=not seen_heading)
        promo = reason == PROMO
        seen_heading = seen_heading or block.kind is Kind.HEADING
        if reason:
            draft.skip(block.line, cleaned.full_text, reason)
        elif cleaned.full_text or cleaned.kind is Kind.RULE:
            kept.append(cleaned)
    return kept


# "More inLet's Talk About…": a scraper glued the link text on; a capital right after is a join.
_GLUED_MORE = re.compile(r"^More (?:in|from)(?=[A-Z])")


def _headed(heading: str) -> str:
    text = heading.strip(" :")
    if _GLUED_MORE.match(text):
        return "related posts"
    return next((what for what, pattern in _HEADED if pattern.search(text)), "")


def _clean_text(draft: blocks.Draft, block: blocks.Block) -> blocks.Block:
    """The block without placeholders and attribute lists (each reported)."""
    label, text = block.label, block.text
    for pattern, reason in ((_PLACEHOLDER, PLACEHOLDER), (_ATTRIBUTES, ATTRIBUTES)):
        for found in pattern.findall(f"{label} {text}"):
            draft.skip(block.line, found, reason)
        label, text = pattern.sub("", label), pattern.sub("", text)
    if (label, text) == (block.label, block.text):
        return block
    return dataclasses.replace(block, text=blocks.clean(text), label=blocks.clean(label))


def _whole_block(block: blocks.Block, *, at_top: bool) -> str:
    """Why the whole block is chrome, or `""`."""
    text = block.full_text
    if _ABBREVIATION.match(text):
        return ABBREVIATION
    if at_top and block.label and _METADATA.match(block.label):
        return METADATA.format(label=block.label)
    if block.kind is Kind.HEADING:
        return ""
    if _LINK_TEXT.match(text):
        return LINK_ALONE
    if _SHARE.match(text) and len(text.split()) <= 12:
        return SHARE
    if _PROMO.search(text) and len(text.split()) <= 40:
        return PROMO
    return ""
