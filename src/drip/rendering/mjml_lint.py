"""What mjml-python lets through silently, found in the templates' own text, with its line.

mjml-python copies an unknown tag into the HTML as it is (`<mj-buton>`: the call to action
vanishes in every mail client) and drops an unknown attribute without a word. So the
templates are read here as written, Jinja left aside: every `<mj-…>` tag must be one of
MJML 4's components, with attributes that component takes; an `<mj-image>` needs its `alt`;
a link written in a template is https (or a value filled in: `{{ … }}`, `tel:`, `mailto:`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

_PADDING = ("padding", "padding-top", "padding-bottom", "padding-left", "padding-right")
_BORDERS = ("border", "border-top", "border-bottom", "border-left", "border-right")
_FONT = (
    "color", "font-family", "font-size", "font-style", "font-weight", "line-height",
    "letter-spacing", "text-decoration", "text-transform",
)  # fmt: skip
_BACKGROUND = (
    "background-color", "background-url", "background-repeat", "background-size",
    "background-position", "background-position-x", "background-position-y",
)  # fmt: skip
_LINK = ("href", "rel", "target", "title", "name")
# MJML 4's components and their attributes (mjml.io/documentation); None: any attribute.
COMPONENTS: dict[str, tuple[str, ...] | None] = {
    "mjml": ("lang", "dir", "owa"),
    "mj-head": (),
    "mj-body": ("background-color", "width"),
    "mj-attributes": (),
    "mj-all": None,
    "mj-class": None,
    "mj-breakpoint": ("width",),
    "mj-font": ("name", "href"),
    "mj-html-attributes": (),
    "mj-selector": ("path",),
    "mj-html-attribute": ("name",),
    "mj-preview": (),
    "mj-style": ("inline",),
    "mj-title": (),
    "mj-include": ("path", "type", "css-inline"),
    "mj-raw": ("position",),
    "mj-section": (
        *_BACKGROUND, *_BORDERS, *_PADDING, "border-radius", "direction", "full-width",
        "text-align",
    ),
    "mj-wrapper": (
        *_BACKGROUND, *_BORDERS, *_PADDING, "border-radius", "direction", "full-width",
        "text-align", "gap",
    ),
    "mj-group": ("background-color", "direction", "vertical-align", "width"),
    "mj-column": (
        "background-color", "inner-background-color", *_BORDERS, "border-radius",
        "inner-border", "inner-border-top", "inner-border-bottom", "inner-border-left",
        "inner-border-right", "inner-border-radius", *_PADDING, "vertical-align", "width",
        "direction",
    ),
    "mj-text": (*_FONT, *_PADDING, "align", "container-background-color", "height"),
    "mj-button": (
        *_FONT, *_PADDING, *_BORDERS, *_LINK, "align", "background-color", "border-radius",
        "container-background-color", "height", "inner-padding", "text-align",
        "vertical-align", "width",
    ),
    "mj-image": (
        *_PADDING, *_BORDERS, *_LINK, "align", "alt", "border-radius",
        "container-background-color", "fluid-on-mobile", "full-width", "height", "sizes",
        "src", "srcset", "usemap", "width", "font-size",
    ),
    "mj-divider": (
        *_PADDING, "align", "border-color", "border-style", "border-width",
        "container-background-color", "width",
    ),
    "mj-spacer": (*_PADDING, "container-background-color", "height"),
    "mj-table": (
        *_FONT, *_PADDING, "align", "border", "cellpadding", "cellspacing",
        "container-background-color", "role", "table-layout", "width",
    ),
    "mj-hero": None,
    "mj-social": None,
    "mj-social-element": None,
    "mj-navbar": None,
    "mj-navbar-link": None,
    "mj-accordion": None,
    "mj-accordion-element": None,
    "mj-accordion-title": None,
    "mj-accordion-text": None,
    "mj-carousel": None,
    "mj-carousel-image": None,
}  # fmt: skip
_EVERYWHERE = ("css-class", "mj-class")

_TAG = re.compile(r"<(?P<name>mj[\w-]*)\b(?P<attrs>[^<>]*?)/?>", re.IGNORECASE)
_ATTR = re.compile(r"(?P<name>[\w:-]+)\s*=\s*(?P<value>\"[^\"]*\"|'[^']*'|[^\s>]+)")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_HREF = re.compile(r"\bhref\s*=\s*[\"'](?P<url>[^\"']*)[\"']", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A mistake in a template: its file (relative to the templates folder), line, column."""

    file: str
    line: int
    column: int
    message: str


def lint(directory: Path) -> list[Finding]:
    """Every MJML mistake in the `.mjml.j2` templates under `directory`, in file order."""
    found: list[Finding] = []
    for path in sorted(directory.rglob("*.mjml.j2")):
        name = path.relative_to(directory).as_posix()
        found.extend(lint_source(name, path.read_text(encoding="utf-8")))
    return found


def lint_source(name: str, source: str) -> list[Finding]:
    """The mistakes in one template's text (Jinja blanked out, so lines and columns hold)."""
    text = _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    found: list[Finding] = []

    def at(offset: int, message: str) -> None:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        found.append(Finding(file=name, line=line, column=column, message=message))

    for tag in _TAG.finditer(text):
        at_tag = tag.start()
        tag_name = tag["name"].lower()
        if tag_name not in COMPONENTS:
            at(at_tag, _unknown_tag(tag_name))
            continue
        attrs = {m["name"].lower(): m for m in _ATTR.finditer(tag["attrs"])}
        allowed = COMPONENTS[tag_name]
        for attr, match in attrs.items():
            if allowed is not None and attr not in (*allowed, *_EVERYWHERE):
                at(tag.start("attrs") + match.start(), _unknown_attr(tag_name, attr, allowed))
        if tag_name == "mj-image" and not _has_value(source, tag, attrs.get("alt")):
            at(at_tag, _NO_ALT)
    for href in _HREF.finditer(text):
        url = href["url"].strip()
        if url and not url.lower().startswith(("https://", "tel:", "mailto:", "#")):
            at(href.start("url"), _not_https(url))
    return found


def _has_value(source: str, tag: re.Match[str], alt: re.Match[str] | None) -> bool:
    """Whether the alt attribute says something (in the source: a `{{ … }}` value counts)."""
    if alt is None:
        return False
    start = tag.start("attrs") + alt.start("value")
    written = source[start : tag.start("attrs") + alt.end("value")].strip("\"'")
    return bool(written.strip())


def _unknown_tag(name: str) -> str:
    close = difflib.get_close_matches(name, list(COMPONENTS), n=1)
    advice = f"did you mean <{close[0]}>?" if close else "use one of MJML's components"
    return (
        f"<{name}> is not an MJML component, and would be copied into the email as it is "
        f"(its content lost in every mail client): {advice}"
    )


def _unknown_attr(tag: str, attr: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(attr, [*allowed, *_EVERYWHERE], n=1)
    advice = f"did you mean {close[0]}?" if close else "remove it"
    return f"<{tag}> has no attribute {attr!r}, so MJML ignores it: {advice}"


_NO_ALT = (
    '<mj-image> has no alt text: add alt="…" saying what the image shows (mail clients '
    "that block images, and screen readers, show only that)"
)


def _not_https(url: str) -> str:
    return (
        f"the link {url!r} is not https: write https://… (mail clients and spam filters "
        "distrust plain http links)"
    )
