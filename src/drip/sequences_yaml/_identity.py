"""Who the emails come from and where they lead: the clinic's logo, phone, website, signature
and accent colour, and a step's call to action. Each reader reports what is wrong and returns
a usable default, like the other readers."""

from __future__ import annotations

import re

from drip import sequences
from drip.sequences_yaml import _containers, _located, _scalars

_q = _located.quote
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_DIGITS = re.compile(r"\d")
MIN_CONTRAST = 4.5  # WCAG AA for body text: white button text on the accent colour
LOGO_WIDTHS = (16, 600)  # px: a favicon at least, the email's width at most
MAX_CTA_LABEL = 40

_LOGO_EXAMPLES = {
    "url": "an https image, e.g. url: https://clinic.example/logo.png",
    "alt": "what the logo says, e.g. alt: Winternheimer Chiropractic",
}
_SIGNATURE_EXAMPLES = {"name": "who signs the emails, e.g. name: Dr. Jeff Winternheimer"}
_CTA_EXAMPLES = {
    "label": "the button's words, e.g. label: Book a visit",
    "url": "where the button leads, e.g. url: https://clinic.example/book",
}


def logo(doc: _located.Doc, value: _located.Value) -> sequences.Logo | None:
    """`logo: {url, alt, width}`: an https image with its alt text, `width` px wide."""
    found = _containers.fields(
        doc, value, required=("url", "alt"), optional=("width",), examples=_LOGO_EXAMPLES
    )
    if "url" not in found or "alt" not in found:
        return None
    width = _width(doc, found["width"]) if "width" in found else sequences.Logo.width
    url = _scalars.url(doc, found["url"])
    return sequences.Logo(url=url, alt=_scalars.one_line(doc, found["alt"]), width=width)


def _width(doc: _located.Doc, value: _located.Value) -> int:
    raw = _containers.text(doc, value).strip().removesuffix("px")
    low, high = LOGO_WIDTHS
    if not raw.isdigit() or not low <= int(raw) <= high:
        doc.report(
            value,
            f"the logo's width {_q(raw)} is not a number of pixels from {low} to {high}: "
            "write e.g. width: 160",
        )
        return sequences.Logo.width
    return int(raw)


def phone(doc: _located.Doc, value: _located.Value) -> str:
    """A phone number as patients dial it: digits, spaces, +, -, (, ) and dots."""
    raw = _scalars.one_line(doc, value)
    if raw and (not _DIGITS.search(raw) or re.search(r"[^\d\s+().-]", raw)):
        doc.report(
            value,
            f"{_q(raw)} is not a phone number: write it as patients dial it, "
            'e.g. phone: "+1 217 555 0100" (digits, spaces, +, -, brackets)',
        )
    return raw


def signature(doc: _located.Doc, value: _located.Value) -> sequences.Signature | None:
    """`signature: {name, role}`: who signs the emails (default: the article's author)."""
    found = _containers.fields(
        doc, value, required=("name",), optional=("role",), examples=_SIGNATURE_EXAMPLES
    )
    if "name" not in found:
        return None
    role = _scalars.one_line(doc, found["role"]) if "role" in found else ""
    return sequences.Signature(name=_scalars.one_line(doc, found["name"]), role=role)


def accent(doc: _located.Doc, value: _located.Value) -> str:
    """`#rrggbb`: dark enough for white text on it (the header and the buttons)."""
    raw = _containers.text(doc, value).strip()
    if not _HEX.fullmatch(raw):
        doc.report(
            value,
            f'{_q(raw)} is not a colour: write it as "#rrggbb" in quotes, e.g. accent: "#1f5f7a"',
        )
        return sequences.DEFAULT_ACCENT
    ratio = contrast(raw, "#ffffff")
    if ratio < MIN_CONTRAST:
        doc.report(
            value,
            f"white text on {raw} has a contrast of {ratio:.1f}:1, below {MIN_CONTRAST}:1: "
            "patients could not read the buttons; choose a darker colour (e.g. #1f5f7a)",
        )
    return raw.lower()


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def cta(doc: _located.Doc, value: _located.Value) -> sequences.Cta | None:
    """A step's `cta: {label, url}`: the button's words and an https link."""
    found = _containers.fields(doc, value, required=("label", "url"), examples=_CTA_EXAMPLES)
    if "label" not in found or "url" not in found:
        return None
    label = _scalars.one_line(doc, found["label"])
    if len(label) > MAX_CTA_LABEL:
        doc.report(
            found["label"],
            f"the button's label is {len(label)} characters long: keep it to {MAX_CTA_LABEL} "
            "or fewer, a few words that say what happens (Book a visit)",
        )
    return sequences.Cta(label=label, url=_scalars.url(doc, found["url"]))
