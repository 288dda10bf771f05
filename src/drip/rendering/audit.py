"""What a rendered email must carry, and how its subject reads for a patient with no name.

    audit.missing(rendered, clinic=plan.clinic, opt_in=False)  # ["an unsubscribe link …", …]
    audit.without_name(rendered.subject)                        # ", tip 2" for "{{ first }}, tip 2"

Every email but the opt-in carries an unsubscribe link (in both parts), every email the
clinic's postal address and the not-medical-advice note; the opt-in carries its confirm link.
An image says what it shows (`alt`).
"""

from __future__ import annotations

import html
import re

from drip import sequences
from drip.rendering import model

DISCLAIMER = "not medical advice"  # the words the note must hold, in both parts
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_OPENING_PUNCTUATION = re.compile(r"^[,.;:!?)\]}\-–—…]")


def missing(
    rendered: model.RenderedStep, *, clinic: sequences.Clinic, opt_in: bool
) -> list[tuple[str, str]]:
    """What the email lacks, as (part: "HTML" or "text", what), for `drip check`."""
    page, text = _words(html.unescape(rendered.html)), _words(rendered.text)
    found: list[tuple[str, str]] = []
    link = model.placeholder(model.CONFIRM if opt_in else model.UNSUBSCRIBE)
    name = (
        "confirm link ({{ links.confirm }})"
        if opt_in
        else "unsubscribe link ({{ links.unsubscribe }})"
    )
    for part, words in (("HTML", page), ("text", text)):
        if link not in words:
            found.append((part, name))
        if _words(clinic.postal_address) not in words:
            found.append((part, "postal address ({{ clinic.postal_address }})"))
        if DISCLAIMER not in words.lower():
            found.append((part, f'"{DISCLAIMER}" note'))
    return found


def images_without_alt(page: str) -> int:
    """How many images of the HTML say nothing of what they show."""
    return sum(1 for img in _IMG.findall(page) if not _alt(img).strip())


def _alt(img: str) -> str:
    match = _ALT.search(img)
    return (match.group(1) or match.group(2) or "") if match else ""


def without_name(line: str) -> str:
    """A subject or preheader as a patient with no first name reads it."""
    filled = line.replace(model.placeholder(model.FIRST_NAME), "").replace(
        model.placeholder(model.GREETING), model.greeting("")
    )
    return " ".join(filled.split())


def reads_badly(line: str) -> bool:
    """Empty, or starting with punctuation (", tip 2")."""
    return not line or bool(_OPENING_PUNCTUATION.match(line))


def _words(text: str) -> str:
    return " ".join(text.split())
