"""An email's headers as a mail client shows them: encoded-words decoded, `Name <address>`.

drip writes every header itself (`drip.rendering.headers`), so a name or a subject beyond
ASCII is on the wire as RFC 2047 encoded-words; the marketer's tools show it as it reads.
"""

from __future__ import annotations

import email.header
import email.utils
from email.message import EmailMessage


def text(message: EmailMessage, name: str) -> str:
    """The header `name` of `message`, decoded ("" when absent)."""
    raw = message[name]
    if raw is None:
        return ""
    return str(email.header.make_header(email.header.decode_header(str(raw))))


def mailbox(message: EmailMessage, name: str) -> str:
    """A From or To header as `Name <address>` (the bare address when it has no name)."""
    shown, address = email.utils.parseaddr(text(message, name))
    return f"{shown} <{address}>" if shown else address
