"""Article parsers: a clinic's article (plain text, HTML or Markdown) → `content.Article`.

    article = ingest.read_article(Path("articles/back-spasms.txt"))
    print(ingest.outline(article))

Every format is read into the same flat blocks (`blocks.Draft`) and built into the tree by one
builder (`build`), so the three forms of one article give the same sections, items and slugs.
Parsers never invent: what they cannot place or leave out (a site name, a stray caption, alt
text glued to a paragraph, page chrome) is listed in `Article.unplaced` with its line, and
`explain` tells where every block of the source went. An article kept as Markdown fragments
with a manifest (a folder holding `manifest.json`) is read as one.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path

from drip import content, errors
from drip.ingest import blocks, build, fragments
from drip.ingest.outline import explain, outline

__all__ = ["FORMATS", "Reading", "explain", "outline", "parse", "read", "read_article"]

FORMATS = ("text", "html", "markdown")
Reading = build.Built
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
    return read(path, format=format, slug=slug).article


def read(path: Path, *, format: str | None = None, slug: str | None = None) -> build.Built:
    """Like `read_article`, with where every block of the source went (`explain` shows it)."""
    if fragments.is_fragments(path):
        assembled = fragments.assemble(path)
        name = path if path.is_dir() else path.parent
        built = _parse(
            assembled.text,
            format="markdown",
            slug=slug or name.name.removesuffix(".fragments"),
            source=str(path),
        )
        return dataclasses.replace(built, origins=assembled.origins)
    if path.is_dir():
        raise errors.ArticleError(
            f"{path}: a folder without a manifest.json; give the article's file, or a folder "
            "of Markdown fragments with a manifest.json"
        )
    if not path.exists():
        raise errors.ArticleError(f"{path}: cannot read the article: No such file or directory")
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
    return _parse(_decode(path, raw), format=chosen, slug=slug or path.stem, source=str(path))


def parse(text: str, *, format: str, slug: str, source: str = "") -> content.Article:
    """Parse article text in one of `FORMATS` into the tree."""
    return _parse(text, format=format, slug=slug, source=source).article


def _parse(text: str, *, format: str, slug: str, source: str) -> build.Built:
    where = source or "article"
    if format not in _PARSERS:
        raise errors.ArticleError(
            f"{where}: unknown article format {format!r}; use one of {', '.join(FORMATS)}"
        )
    if not text.strip():
        raise errors.ArticleError(f"{where}: the article is empty; put the article's text in it")
    draft = _parser(format)(text, slug=slug, source=source)
    if not draft.blocks:
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
