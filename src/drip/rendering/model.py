"""The values rendering works with: recipients, links, rendered steps and content blocks.

A `RenderedStep` is subscriber-independent. Personal values stand in it as placeholders
(`%%drip:first_name%%`, `%%drip:unsubscribe%%`, …) that MJML passes through untouched and
autoescaping leaves alone; `drip.rendering.compose` fills them in per subscriber.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import markupsafe


def placeholder(name: str) -> str:
    """The marker a personal value stands as in a rendered step: `%%drip:NAME%%`."""
    return f"%%drip:{name}%%"


# The personal fields a template may use, by name; each is substituted by `compose`.
FIRST_NAME = "first_name"  # the sanitised first name, possibly empty
GREETING = "greeting"  # the whole greeting: "Hi Sam," or "Hello," when no name is known


def greeting(first_name: str) -> str:
    """The greeting a patient reads: with their name, or without one."""
    return f"Hi {first_name}," if first_name else "Hello,"


UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
CONFIRM = "confirm"


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """Who an email goes to; `first_name` may be empty."""

    email: str
    first_name: str


@dataclass(frozen=True, kw_only=True)
class Links:
    """A subscriber's signed links, absolute https URLs; `confirm` only for the opt-in email."""

    unsubscribe: str
    preferences: str
    confirm: str | None = None


@dataclass(frozen=True, kw_only=True)
class RenderedStep:
    """One step's email, rendered once, with placeholders for the personal fields."""

    subject: str
    preheader: str
    html: str
    text: str


class PartKind(StrEnum):
    PARAGRAPH = "paragraph"
    LIST = "list"


@dataclass(frozen=True, kw_only=True)
class Span:
    """A run of text in a paragraph or list entry: plain, bold, italic, or a link (https)."""

    text: str
    href: str = ""
    strong: bool = False
    em: bool = False

    @property
    def markup(self) -> markupsafe.Markup:
        html = markupsafe.escape(self.text)
        if self.strong:
            html = markupsafe.Markup("<strong>%s</strong>") % html
        if self.em:
            html = markupsafe.Markup("<em>%s</em>") % html
        if self.href:
            html = markupsafe.Markup('<a href="%s">%s</a>') % (self.href, html)
        return html


Spans = tuple[Span, ...]


def plain(text: str) -> Spans:
    return (Span(text=text),)


def markup(spans: Spans) -> markupsafe.Markup:
    """The spans as HTML, every text escaped."""
    return markupsafe.Markup("").join(span.markup for span in spans)


@dataclass(frozen=True, kw_only=True)
class Part:
    """A paragraph (`text`) or a bulleted list (`entries`) of a content block.

    `spans` (and `entry_spans`) hold the same words with their bold, italics and links, for
    the HTML (`markup`, `entry_markups`) and the text part's link references; when empty, the
    text is plain.
    """

    kind: PartKind
    text: str = ""
    entries: tuple[str, ...] = ()
    spans: Spans = ()
    entry_spans: tuple[Spans, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.kind is PartKind.LIST

    @property
    def markup(self) -> markupsafe.Markup:
        return markup(self.spans or plain(self.text))

    @property
    def entry_markups(self) -> list[markupsafe.Markup]:
        spans = self.entry_spans or tuple(plain(entry) for entry in self.entries)
        return [markup(entry) for entry in spans]

    @property
    def runs(self) -> Spans:
        """The paragraph's spans (one plain span when it has no markup)."""
        return self.spans or plain(self.text)

    @property
    def entry_runs(self) -> tuple[Spans, ...]:
        return self.entry_spans or tuple(plain(entry) for entry in self.entries)


@dataclass(frozen=True, kw_only=True)
class Block:
    """A resolved content reference: a section or item of the article, ready for templates.

    `level` is 1 for the referenced section or item itself and 2 for the items listed under a
    referenced section.
    """

    slug: str
    title: str
    parts: tuple[Part, ...]
    level: int = 1

    @property
    def paragraphs(self) -> list[str]:
        """The plain paragraphs' text, without the lists."""
        return [p.text for p in self.parts if not p.is_list]


SAMPLE_RECIPIENT = Recipient(email="sample.patient@example.com", first_name="Sam")


def sample_links(base_url: str) -> Links:
    """Links for previews and tests, on the clinic's web app, with a sample token."""
    base = base_url.rstrip("/")
    return Links(
        unsubscribe=f"{base}/u/SAMPLE-TOKEN",
        preferences=f"{base}/p/SAMPLE-TOKEN",
        confirm=f"{base}/c/SAMPLE-TOKEN",
    )
