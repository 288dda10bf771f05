"""An HTML page's title, author and date: from `<meta>`, `<title>`, `<time>` and the page itself.

The article's own title is the heading that matches what the page's metadata calls it
(`og:title`, `<title>` without its " | Blog name" part): on a HubSpot blog that is the post's
`<h2>` under the blog name's `<h1>`. Without a match, the first `<h1>` outside the page chrome.
The title heading and the byline near it are taken out of the page before it is walked, and
text above the title is reported as site chrome.
"""

from __future__ import annotations

import re

import bs4

from drip.ingest import blocks, meta

_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_BYLINE_HOME = re.compile(r"author|byline|post-meta|posted|meta", re.IGNORECASE)


def read(draft: blocks.Draft, soup: bs4.BeautifulSoup) -> None:
    """Fill in the draft's title, author, date and site name; take the title heading out."""
    names = _title_candidates(soup)
    heading = _title_heading(soup, names)
    if heading is not None:
        draft.title = blocks.clean(heading.get_text(" "))
        draft.metadata(
            getattr(heading, "sourceline", None) or 0, draft.title, "the article's title"
        )
        draft.title_line = getattr(heading, "sourceline", None) or 0
        heading.decompose()
    elif names:
        draft.title = names[0]
    _author_and_date(draft, soup)


def after_title(draft: blocks.Draft, found: list[blocks.Block]) -> list[blocks.Block]:
    """The blocks below the title heading; those above it are reported as site chrome."""
    kept = []
    for block in meta.take_bylines(draft, found):
        if block.line < draft.title_line and block.kind is not blocks.Kind.RULE:
            draft.skip(block.line, block.full_text, meta.ABOVE_TITLE)
        else:
            kept.append(block)
    return kept


def _meta(soup: bs4.BeautifulSoup, **attrs: str) -> str:
    tag = soup.find("meta", attrs=dict(attrs.items()))
    content = tag.get("content") if isinstance(tag, bs4.Tag) else None
    return blocks.clean(str(content)) if content else ""


def _title_candidates(soup: bs4.BeautifulSoup) -> list[str]:
    """What the page's metadata calls the article, most specific first."""
    found = [_meta(soup, property="og:title"), _meta(soup, name="twitter:title")]
    if soup.title and soup.title.string:
        whole = blocks.clean(soup.title.string)
        found += [_TITLE_SPLIT.split(whole)[0], whole]
    return [name for name in dict.fromkeys(found) if name]


def _title_heading(soup: bs4.BeautifulSoup, names: list[str]) -> bs4.Tag | None:
    headings = [h for h in soup.find_all(_HEADINGS) if h.get_text(strip=True)]
    for name in names:
        for heading in headings:
            if blocks.same_words(heading.get_text(" "), name):
                return heading
    h1s = [h for h in headings if h.name == "h1" and not h.find_parent(["nav", "footer", "aside"])]
    if not h1s:
        return None
    first = blocks.clean(h1s[0].get_text(" "))
    if not names or any(_contains(name, first) for name in names):
        return h1s[0]
    return None


def _contains(longer: str, shorter: str) -> bool:
    """Whether the words of `shorter` appear in `longer`, in order (`Neck Pain Services`)."""
    return f"-{blocks.content_key(shorter)}-" in f"-{blocks.content_key(longer)}-"


def _author_and_date(draft: blocks.Draft, soup: bs4.BeautifulSoup) -> None:
    draft.author = _meta(soup, name="author") or None
    published = _meta(soup, property="article:published_time")
    when = soup.find("time")
    if published:
        draft.date = meta.find_date(published)
    elif isinstance(when, bs4.Tag):
        draft.date = meta.find_date(str(when.get("datetime") or when.get_text(" ")))
    draft.site = _meta(soup, property="og:site_name")
    for tag in soup.find_all(True):
        names = " ".join([*map(str, tag.get_attribute_list("class")), str(tag.get("id") or "")])
        if not _BYLINE_HOME.search(names):
            continue
        found = meta.byline(blocks.clean(tag.get_text(" ")))
        if found is not None:
            draft.metadata(getattr(tag, "sourceline", None) or 0, tag.get_text(" "),
                           "the byline: author and date")  # fmt: skip
            draft.author = draft.author or found.author
            draft.date = draft.date or found.date
            tag.decompose()
            return
