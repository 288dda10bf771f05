"""A blog page (HubSpot, WordPress or hand-made) as HTML.

Page chrome goes first (script, style, nav, header, footer, aside, forms, share/CTA widgets),
images are dropped whole so their alt text can never glue onto a paragraph, and the rest is
walked into blocks: h1–h6 headings, paragraphs, list entries (a bold lead-in is the label) and
figure captions. Wrappers (`hs_cos_wrapper` spans, WordPress divs) are just walked through.
"""

from __future__ import annotations

import re

import bs4

from drip.ingest import blocks, meta

Kind = blocks.Kind
_CHROME = {
    "script", "style", "nav", "header", "footer", "aside", "noscript", "form", "iframe", "svg",
    "button", "template", "select", "input", "textarea", "img", "picture", "video", "audio",
    "object", "embed", "canvas", "head", "title", "meta", "link",
}  # fmt: skip
_CHROME_CLASS = re.compile(
    r"(?:^|[-_\s])(?:comments?|share|sharing|social|related|subscribe|sidebar|breadcrumbs?"
    r"|newsletter|cta|widget|author-bio|pagination|tags|topics?|categories)(?:$|[-_\s])",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption", re.IGNORECASE)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "body", "html", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "figure", "table", "thead", "tbody", "tr", "td", "th", "pre", "center",
}  # fmt: skip
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def parse(text: str, *, slug: str, source: str = "") -> blocks.Draft:
    soup = bs4.BeautifulSoup(text, "html.parser")
    draft = blocks.Draft(slug=slug, source=source)
    _metadata(draft, soup)
    found = walk(soup)
    draft.blocks = meta.take_bylines(draft, found)
    return draft


def walk(root: bs4.Tag, first_line: int = 1) -> list[blocks.Block]:
    """The blocks of an HTML tree or fragment (used for raw HTML inside Markdown too)."""
    walker = _Walker(first_line)
    walker.walk(root, bold=False)
    walker.flush()
    return walker.found


def _metadata(draft: blocks.Draft, soup: bs4.BeautifulSoup) -> None:
    """Title (the first h1 outside the page chrome, taken out), author and date from markup."""
    for h1 in soup.find_all("h1"):
        if not h1.find_parent(["nav", "footer", "aside"]) and h1.get_text(strip=True):
            draft.title = blocks.clean(h1.get_text(" "))
            h1.decompose()
            break
    else:
        if soup.title and soup.title.string:
            draft.title = blocks.clean(re.split(r"\s[|–—-]\s", soup.title.string)[0])
    author = soup.find("meta", attrs={"name": "author"})
    if isinstance(author, bs4.Tag) and author.get("content"):
        draft.author = blocks.clean(str(author["content"]))
    when = soup.find("time")
    if isinstance(when, bs4.Tag):
        draft.date = meta.find_date(str(when.get("datetime") or when.get_text(" ")))
    site = soup.find("meta", attrs={"property": "og:site_name"})
    if isinstance(site, bs4.Tag) and site.get("content"):
        draft.site = blocks.clean(str(site["content"]))


class _Walker:
    def __init__(self, first_line: int) -> None:
        self.offset = first_line - 1
        self.found: list[blocks.Block] = []
        self.parts: list[blocks.Part] = []
        self.line = first_line
        self.context: list[tuple[Kind, int, int]] = []  # kind, heading level, line

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
        classes = " ".join([*map(str, tag.get_attribute_list("class")), str(tag.get("id") or "")])
        if name in _CHROME or _CHROME_CLASS.search(classes):
            return
        if name == "br":
            self.parts.append(blocks.Part(text="\n"))
        elif name == "hr":
            self.flush()
            self.found.append(blocks.Block(kind=Kind.RULE, text="", line=self._line(tag)))
        elif name == "figcaption" or (name != "figure" and _CAPTION_CLASS.search(classes)):
            self._block(tag, Kind.CAPTION, 0, bold=False)
        elif name in _HEADINGS:
            self._block(tag, Kind.HEADING, _HEADINGS[name], bold=False)
        elif name == "li":
            self._block(tag, Kind.ITEM, 0, bold=bold)
        elif name in _BLOCKS:
            self._block(tag, Kind.PARAGRAPH, 0, bold=bold)
        else:
            self.walk(tag, bold=bold or name in ("strong", "b"))

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
        block = blocks.from_parts(self.parts, kind=kind, line=max(line, self.line), level=level)
        if block is not None:
            self.found.append(block)
        self.parts = []
