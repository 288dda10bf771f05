"""A blog page (HubSpot, WordPress or hand-made) as HTML.

Page chrome goes first (nav, header, footer, aside, forms, share/CTA/related widgets), each
piece reported with its line; images are dropped whole so their alt text can never glue onto a
paragraph; the rest is walked into blocks: h1–h6 headings, paragraphs, list entries (a bold
lead-in is the label, a list inside an entry keeps its depth), definition lists (`<dt>` is the
label), figure captions. Wrappers (`hs_cos_wrapper` spans, WordPress divs, cards of nested
divs) are just walked through. The title comes from `<meta>` / `<title>` and is found among the
headings: headings above it (a blog name in `<h1>` over a post title in `<h2>`) are site chrome.
"""

from __future__ import annotations

import re

import bs4

from drip.ingest import blocks, chrome, html_meta

Kind = blocks.Kind
_SILENT = {
    "script", "style", "noscript", "template", "svg", "img", "picture", "video", "audio",
    "object", "embed", "canvas", "head", "title", "meta", "link", "iframe", "input", "select",
    "textarea",
}  # fmt: skip
_CHROME_TAGS = {"nav": "navigation", "header": "page header", "footer": "page footer",
                "aside": "sidebar", "form": "form", "button": "button"}  # fmt: skip
_CHROME_CLASS = re.compile(
    r"(?:^|[-_\s])(?P<what>comments?|share|sharing|social|related|subscribe|sidebar|breadcrumbs?"
    r"|newsletter|cta|widget|author-bio|pagination|tags|topics?|categories|cookies?|consent"
    r"|nav|navbar|menu|footer|header|byline|post-meta|signup|promo|advert|ads)(?:$|[-_\s])",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption", re.IGNORECASE)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "body", "html", "blockquote", "figure", "table",
    "thead", "tbody", "tr", "td", "th", "pre", "center", "dl",
}  # fmt: skip
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
CHROME = "page chrome ({what}), not article text"
LINK_ALONE = chrome.LINK_ALONE
CITATION = chrome.CITATION
_CITATION = re.compile(r"^[\d\s,;–—-]+$")


def parse(text: str, *, slug: str, source: str = "") -> blocks.Draft:
    soup = bs4.BeautifulSoup(text, "html.parser")
    draft = blocks.Draft(slug=slug, source=source)
    html_meta.read(draft, soup)
    found = walk(soup, draft=draft)
    draft.blocks = html_meta.after_title(draft, found)
    return draft


def walk(root: bs4.Tag, first_line: int = 1, *, draft: blocks.Draft) -> list[blocks.Block]:
    """The blocks of an HTML tree or fragment (used for raw HTML inside Markdown too)."""
    walker = _Walker(first_line, draft)
    walker.walk(root, bold=False)
    walker.flush()
    return walker.found


class _Walker:
    def __init__(self, first_line: int, draft: blocks.Draft) -> None:
        self.offset = first_line - 1
        self.draft = draft
        self.found: list[blocks.Block] = []
        self.parts: list[blocks.Part] = []
        self.line = first_line
        self.context: list[tuple[Kind, int, int]] = []  # kind, heading level, line
        self.depth = 0  # lists open around the current tag
        self.label = ""  # the open `<dt>`'s text, waiting for its `<dd>`

    def walk(self, node: bs4.Tag, *, bold: bool) -> None:
        previous_end = 0
        for child in node.children:
            if isinstance(child, bs4.Tag):
                # bs4 collapses a blank line between inline tags to "\n"; the source lines
                # still show it, and at container level a blank line ends a paragraph.
                start = getattr(child, "sourceline", None) or 0
                if previous_end and start - previous_end >= 2 and self._in_container():
                    self.flush()
                self._tag(child, bold=bold)
                previous_end = start + sum(s.count("\n") for s in child.strings) if start else 0
            elif type(child) is bs4.element.NavigableString:  # not comments, doctypes, <?php ?>
                self._text(str(child), bold=bold, line=self._line(node))

    def _tag(self, tag: bs4.Tag, *, bold: bool) -> None:
        name = tag.name
        if name in _SILENT:
            return
        if chrome := _chrome(tag):
            self._skip(tag, CHROME.format(what=chrome))
        elif name == "br":
            self.parts.append(blocks.Part(text="\n"))
        elif name == "hr":
            self.flush()
            self.found.append(blocks.Block(kind=Kind.RULE, text="", line=self._line(tag)))
        elif name == "sup" and _CITATION.match(tag.get_text()):
            self._skip(tag, CITATION)
        elif _link_alone(tag):
            self._skip(tag, LINK_ALONE)
        elif name == "figcaption" or (name != "figure" and _CAPTION_CLASS.search(_names(tag))):
            self._block(tag, Kind.CAPTION, 0, bold=False)
        elif name in _HEADINGS:
            self._block(tag, Kind.HEADING, _HEADINGS[name], bold=False)
        elif name in ("ul", "ol"):
            self.flush()
            self.depth += 1
            self.walk(tag, bold=bold)
            self.depth -= 1
        elif name in ("li", "dd"):
            self._block(tag, Kind.ITEM, 0, bold=bold)
        elif name == "dt":
            self.flush()
            self.label = blocks.clean(tag.get_text(" "))
        elif name in _BLOCKS:
            self._block(tag, Kind.PARAGRAPH, 0, bold=bold)
        else:
            self.walk(tag, bold=bold or name in ("strong", "b"))

    def _skip(self, tag: bs4.Tag, reason: str) -> None:
        text = blocks.clean(tag.get_text(" "))
        if text:
            self.draft.skip(self._line(tag), text, reason)

    def _block(self, tag: bs4.Tag, kind: Kind, level: int, *, bold: bool) -> None:
        self.flush()
        self.context.append((kind, level, self._line(tag)))
        self.walk(tag, bold=bold)
        self.flush()
        self.context.pop()

    def _text(self, text: str, *, bold: bool, line: int) -> None:
        if not self.parts:
            self.line = line
        pieces = _BLANK_LINE.split(text) if self._in_container() else [text]
        for index, piece in enumerate(pieces):
            if index:  # a blank line between inline runs at container level ends a paragraph
                self.flush()
                self.line = line
            self.parts.append(blocks.Part(text=piece, bold=bold))

    def _in_container(self) -> bool:
        return not self.context or self.context[-1][0] is Kind.PARAGRAPH

    def _line(self, tag: bs4.Tag) -> int:
        line = getattr(tag, "sourceline", None)
        return self.offset + line if isinstance(line, int) else self.line

    def flush(self) -> None:
        kind, level, line = self.context[-1] if self.context else (Kind.PARAGRAPH, 0, self.line)
        depth = max(self.depth - 1, 0)
        block = blocks.from_parts(
            self.parts, kind=kind, line=max(line, self.line), level=level, depth=depth
        )
        self.parts = []
        if block is None:
            return
        if self.label and kind is Kind.ITEM:  # a <dd> after its <dt>
            block = blocks.Block(kind=Kind.ITEM, label=self.label, text=block.full_text,
                                 line=block.line)  # fmt: skip
            self.label = ""
        self.found.append(block)


def _names(tag: bs4.Tag) -> str:
    return " ".join([*map(str, tag.get_attribute_list("class")), str(tag.get("id") or "")])


def _chrome(tag: bs4.Tag) -> str:
    """What kind of page chrome `tag` is (`"navigation"`, `"share"`), or `""`."""
    if tag.name in _CHROME_TAGS:
        return _CHROME_TAGS[tag.name]
    match = _CHROME_CLASS.search(_names(tag))
    return match["what"].lower() if match else ""


def _link_alone(tag: bs4.Tag) -> bool:
    """A paragraph or box whose only text is one link: a button or a call to action."""
    if tag.name not in ("p", "div"):
        return False
    links = tag.find_all("a")
    text = blocks.clean(tag.get_text(" "))
    return len(links) == 1 and bool(text) and blocks.clean(links[0].get_text(" ")) == text
