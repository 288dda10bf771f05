"""The title and body of one list entry, from the shapes real pages use:

    - **Heat and Ice** The use of hot and cold …     a bold label (or a `<dt>`): the label
    - Herniated disc – Discs can bulge or rupture.   a name, a dash or colon, a sentence
    - Poor posture or obesity                         a short entry: the entry is the name
    - Passive PT includes the application of …        a sentence that names its subject first
    - loss of nerve function …, called cauda equina   a description that ends with a name

Also: numbered or lettered headings lose their number (`1\\. Thorough Assessment`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drip.ingest import blocks

MAX_NAME_WORDS = 6  # a label longer than this is a sentence, not a name
MAX_SHORT_WORDS = 12  # an entry this short, with no sentence in it, is its own title
_SPLIT = re.compile(r"^(?P<name>[^:.;–—]{1,80}?)\s*(?::|\s[–—-]\s|[–—]\s)\s*(?P<rest>\S.*)$")
_SUBJECT = re.compile(
    r"^(?P<name>(?:[A-Z][\w'/-]*|[A-Z]{2,})(?:\s+[\w'/-]+){0,3}?)\s+"
    r"(?:includes?|involves?|is|are|means|uses?|helps?|consists? of|refers? to)\s+(?P<rest>.+)$"
)
# A missing space after "called" or "such as" is a scraper's trace, common enough to allow.
_CALLED = re.compile(r"^(?P<rest>.+?),\s*(?:called|known as)\s*(?P<name>[^,;()]+?)\s*(?:\(.*)?$")
_SUCH_AS = re.compile(r"^(?P<name>[^,]+?),\s*(?:such as|like|e\.g\.)\s*(?P<rest>.+)$")
_NUMBER = re.compile(r"^(?:(?:step|tip|no\.?)\s*)?(?:\d{1,2}|[a-z])[.)]\s+|^#?\d{1,2}\s*[:.–—-]\s+",
                     re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Entry:
    title: str
    body: str
    shape: str  # how the title was found, for --explain


def entry(block: blocks.Block) -> Entry:
    """The title and body of a list entry (or of a labelled paragraph)."""
    if block.label:
        return Entry(title=heading(block.label), body=block.text, shape="its label")
    text = block.text
    if (match := _SPLIT.match(text)) and len(match["name"].split()) <= MAX_NAME_WORDS:
        return Entry(title=match["name"], body=_sentence(match["rest"]), shape="name, then dash")
    if _short(text):
        return Entry(title=text.rstrip(".;,"), body="", shape="a short entry")
    if match := _CALLED.match(text):
        return Entry(title=match["name"], body=_sentence(text), shape="the name it is called")
    if match := _SUCH_AS.match(text):
        return Entry(title=match["name"], body=_sentence(text), shape="the thing, then examples")
    if match := _SUBJECT.match(text):
        return Entry(title=match["name"], body=text, shape="the subject of its first sentence")
    return Entry(title=text, body="", shape="the whole entry")


def heading(text: str) -> str:
    """A heading or label as an item title: no number in front, no colon behind."""
    return _NUMBER.sub("", text.strip()).strip().rstrip(":").strip()


def _short(text: str) -> bool:
    words = text.split()
    return len(words) <= MAX_SHORT_WORDS and not re.search(r"[.!?]\s+\S", text)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text
