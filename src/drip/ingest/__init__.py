"""Article parsers: a clinic's article (plain text, HTML or Markdown) → `content.Article`.

    article = ingest.read_article(Path("articles/back-spasms.txt"))
    print(ingest.outline(article))

Every format is read into the same flat blocks (`blocks.Draft`) and built into the tree by one
builder (`build`), so the three forms of one article give the same sections, items and slugs.
Parsers never invent: what they cannot place (a site name, a stray caption, alt text glued to a
paragraph, text in an article without headings) is listed in `Article.unplaced` with its line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from drip import content, errors
from drip.ingest import blocks, build
from drip.ingest.outline import outline

__all__ = ["FORMATS", "outline", "parse", "read_article"]

FORMATS = ("text", "html", "markdown")
# Parser modules by format, imported on first use: BeautifulSoup costs a tenth of a second
# that `drip check` on a plain-text article need not pay.
_PARSERS = {"text": "from_text", "html": "from_html", "markdown": "from_markdown"}


def _parser(format: str) -> Callable[..., blocks.Draft]:
    module = importlib.import_module(f"drip.ingest.{_PARSERS[format]}")
    parse: Callable[..., blocks.Draft] = module.parse
    return parse


_EXTENSIONS = {
    ".txt": "text", ".text": "text", ".html": "html", ".htm": "html",
    ".md": "markdown", ".markdown": "markdown",
}  # fmt: skip


def read_article(
    path: Path, *, format: str | None = None, slug: str | None = None
) -> content.Article:
    """Read and parse an article file; the format comes from the extension unless given.

    Raises `errors.ArticleError` for a file that cannot be read, is empty, is not UTF-8 text,
    has an unknown format, or holds no text at all.
    """
    chosen = format or _EXTENSIONS.get(path.suffix.lower())
    if chosen is None:
        raise errors.ArticleError(
            f"{path}: cannot tell the article format from the extension {path.suffix!r}; "
            f"use .txt, .html or .md, or give the format ({', '.join(FORMATS)})"
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise errors.ArticleError(f"{path}: cannot read the article: {error.strerror}") from None
    return parse(_decode(path, raw), format=chosen, slug=slug or path.stem, source=str(path))


def parse(text: str, *, format: str, slug: str, source: str = "") -> content.Article:
    """Parse article text in one of `FORMATS` into the tree."""
    where = source or "article"
    if format not in _PARSERS:
        raise errors.ArticleError(
            f"{where}: unknown article format {format!r}; use one of {', '.join(FORMATS)}"
        )
    if not text.strip():
        raise errors.ArticleError(f"{where}: the article is empty; put the article's text in it")
    draft = _parser(format)(text, slug=slug, source=source)
    if not draft.blocks and not draft.unplaced:
        raise errors.ArticleError(
            f"{where}: no article text found (only page chrome or markup); "
            "check that this is the article itself"
        )
    return build.build(draft)


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw:
        raise errors.ArticleError(f"{path}: this is a binary file, not an article; save it as text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.ArticleError(
            f"{path}: not UTF-8 text (byte {error.start}); save the article as UTF-8"
        ) from None
