"""Header lines drip writes itself, so the email package never re-interprets what a user typed.

The email package parses a header value given as text and folds it again on output; on the way
it decodes RFC 2047 encoded-words, so a first name such as `Ana =?utf-8?q?=0D=0ABcc:...?=`
came out as a raw line break and a `Bcc:` header, and it folded a long `List-Unsubscribe` URL
into encoded-words that RFC 2369 readers (and one-click unsubscribe) do not understand. Here
every header is built as finished text and handed over as a `Line`, which the email package
stores and writes as it is:

- a display name or a subject that is plain printable ASCII (and holds no `=?`) is written as
  it is (a name quoted); anything else becomes base64 encoded-words of UTF-8, so the text a
  patient typed is shown exactly as typed and can never be read as markup or a line break;
- long values are folded at spaces between words or encoded-words, never inside a URL;
- control characters are refused (`errors.HeaderInjectionError`) before anything is written.
"""

from __future__ import annotations

import base64
import re
from email.policy import Policy

from drip import contacts, errors

MAX_LINE = 78  # characters per line, as RFC 5322 recommends; a single word may run longer
_PLAIN_NAME = re.compile(r"[A-Za-z0-9 .'-]*")
_PLAIN_TEXT = re.compile(r"[\x20-\x7e]*")
_CHUNK = 45  # UTF-8 bytes per encoded-word: 60 base64 characters, 72 with the wrapping


class Line(str):
    """A header value as it goes on the wire; the email package writes it untouched."""

    name: str

    def __new__(cls, name: str, value: str) -> Line:
        line = super().__new__(cls, value)
        line.name = name
        return line

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self}\n".replace("\n", policy.linesep)


def plain(name: str, value: str) -> Line:
    """A header whose value drip made (Date, Message-ID, a URL): one line, as it is."""
    return Line(name, checked(name, value))


def text(name: str, value: str) -> Line:
    """An unstructured header (Subject): plain ASCII folded at spaces, else encoded-words."""
    value = checked(name, value)
    words = value.split(" ") if _is_plain(value) else _encoded_words(value)
    return Line(name, _folded(name, words))


def mailbox(name: str, display_name: str, address: str) -> Line:
    """`Name <address>` (From, To, Reply-To): the address checked, the name made safe."""
    address = checked(name, address)
    display_name = checked(name, display_name).strip()
    if not display_name:
        return Line(name, address)
    if _PLAIN_NAME.fullmatch(display_name):
        words = [f'"{display_name}"']
    else:
        words = _encoded_words(display_name)
    return Line(name, _folded(name, [*words, f"<{address}>"]))


def unsubscribe(url: str) -> Line:
    """`List-Unsubscribe: <https://…>`, the URL literal (RFC 2369), on one line."""
    return Line("List-Unsubscribe", f"<{checked('List-Unsubscribe', url)}>")


def checked(name: str, value: str) -> str:
    """`value`, or HeaderInjectionError when it holds a line break or control character."""
    if value.isprintable():  # no Other or Separator but the space: the common case, in C
        return value
    if any(contacts.is_control(ch) for ch in value):
        raise errors.HeaderInjectionError(
            f"{name} {value!r} contains a line break or control character; "
            "header values must be one line"
        )
    return value


def _is_plain(value: str) -> bool:
    return bool(_PLAIN_TEXT.fullmatch(value)) and "=?" not in value


def _encoded_words(value: str) -> list[str]:
    """`value` as base64 encoded-words of UTF-8, split between characters, never inside one."""
    words, chunk = [], b""
    for ch in value:
        encoded = ch.encode("utf-8")
        if len(chunk) + len(encoded) > _CHUNK:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words if w]


def _folded(name: str, words: list[str]) -> str:
    """The words joined by spaces, a line break before a word that would pass MAX_LINE."""
    lines, line = [], ""
    width = len(name) + 2
    for word in words:
        if line and width + len(line) + 1 + len(word) > MAX_LINE:
            lines.append(line)
            line, width = word, 1
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n ".join(lines)
