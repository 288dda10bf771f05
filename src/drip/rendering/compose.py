"""Personalise a rendered step for one patient and build the MIME message.

This is the only place personal values enter an email: the placeholders of a `RenderedStep`
are replaced in one pass (so a value can never introduce another placeholder), the first name
HTML-escaped in the HTML part and tidied everywhere (`drip.contacts.first_name`). Every header
is written by `drip.rendering.headers`, never parsed and refolded by the email package; header
values with a line break are refused; the pain cause is never put in a header.

It is the hot path of sending, so the MIME structure is built from finished parts rather than
by the email package's content manager (which parses every header it writes, and encodes
quoted-printable in Python): both parts are quoted-printable UTF-8, encoded by `binascii` in
C, what the patient's values do not reach only once per step (`drip.rendering.qp`), and the
boundary is derived from the Message-ID (a quoted-printable body can never hold `=_`, so it
can never meet the boundary). The message is still an `EmailMessage`: readers and the mailers
see the same object as before.
"""

from __future__ import annotations

import email.policy
import functools
import hashlib
import html
import re
from datetime import UTC, datetime
from email import utils
from email.message import EmailMessage, Message, MIMEPart
from email.policy import Policy
from urllib.parse import urlsplit

from drip import contacts, errors, sequences
from drip.rendering import headers, model, qp


class _Policy(email.policy.EmailPolicy):
    """SMTP's policy (CRLF line ends, as the message goes on the wire), without the count of
    each header at every assignment, which builds a header class per call: `compose` sets
    each header once."""

    def header_max_count(self, name: str) -> None:
        return None


POLICY = _Policy(linesep="\r\n")
_SPACE = re.compile(r"\s")
# http(s), a host of plain ASCII (nothing urlsplit could refuse), then printable ASCII only.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.:@-]+(?:[/?#][!-~]*)?")
_PLACEHOLDER = re.compile(r"%%drip:([a-z_]+)%%")


def message_id(key: str, *, domain: str) -> str:
    """`<32 hex digits@domain>` derived from `key`: a retry of the same delivery reuses it."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{headers.checked('Message-ID domain', domain)}>"


def compose(
    rendered: model.RenderedStep,
    *,
    clinic: sequences.Clinic,
    recipient: model.Recipient,
    links: model.Links,
    message_id: str,
    date: datetime,
) -> EmailMessage:
    """The multipart/alternative message (text, then HTML) for one recipient."""
    name = contacts.first_name(recipient.first_name)
    values = _values(name, links)
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    message = _Composed(policy=POLICY)
    message["From"] = _clinic_mailbox("From", clinic.from_address)
    message["To"] = headers.mailbox("To", name, _addr_spec(recipient.email))
    if clinic.reply_to:
        message["Reply-To"] = _clinic_mailbox("Reply-To", clinic.reply_to)
    message["Subject"] = headers.text("Subject", _fill(rendered.subject, values))
    message["Date"] = headers.plain("Date", utils.format_datetime(_utc(date)))
    message["Message-ID"] = headers.plain("Message-ID", message_id)
    message["List-Unsubscribe"] = headers.unsubscribe(values[model.UNSUBSCRIBE])
    message["List-Unsubscribe-Post"] = headers.plain(
        "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
    )
    message["MIME-Version"] = headers.plain("MIME-Version", "1.0")
    boundary = f"=_{hashlib.sha256(message_id.encode()).hexdigest()[:32]}"
    message.content_type = headers.Line(
        "Content-Type", f'multipart/alternative;\n boundary="{boundary}"'
    )
    message.boundary = boundary
    message["Content-Type"] = message.content_type
    message.set_payload(
        [
            _part("plain", _body(rendered.text).encoded(lambda piece: _fill(piece, values))),
            _part("html", _body(rendered.html).encoded(lambda piece: _fill(piece, escaped))),
        ]
    )
    return message


class _Part(MIMEPart):
    """A text part with its body as it goes on the wire (`wire`, CRLF line ends), kept while
    its payload is the one `_part` set."""

    wire: bytes = b""
    encoded: str = ""


class _Composed(EmailMessage):
    """The message `compose` builds. `as_bytes` writes it in one join rather than through the
    email package's generator, which copies a body line by line (a third of composing): the
    same bytes, since every header is a finished `headers.Line` and both bodies are already
    quoted-printable. Anything else (a part replaced, a foreign policy) takes the generator."""

    content_type: headers.Line | None = None  # the Content-Type compose set, naming `boundary`
    boundary: str = ""

    def as_bytes(self, unixfrom: bool = False, policy: Policy | None = None) -> bytes:
        policy = self.policy if policy is None else policy
        payload = self.get_payload()
        parts = payload if isinstance(payload, list) else []
        ours = [p for p in parts if isinstance(p, _Part) and p.get_payload() is p.encoded]
        kept = self.content_type is not None and self.get("Content-Type") is self.content_type
        boundary = self.boundary if kept else self.get_boundary()
        if unixfrom or policy.linesep != "\r\n" or not boundary or not ours or ours != parts:
            return super().as_bytes(unixfrom=unixfrom, policy=policy)
        delimiter = f"--{boundary}".encode("ascii")
        out = [_header_block(self, policy)]
        for part in ours:
            out += [delimiter, b"\r\n", _header_block(part, policy), part.wire, b"\r\n"]
        out += [delimiter, b"--\r\n"]
        return b"".join(out)


def _header_block(message: Message, policy: Policy) -> bytes:
    items = list(message.raw_items())
    lines = [value for _, value in items if isinstance(value, headers.Line)]
    if (
        isinstance(policy, email.policy.EmailPolicy)
        and type(policy).fold_binary is email.policy.EmailPolicy.fold_binary
        and len(lines) == len(items)
    ):  # what its fold_binary writes for each Line (the Line's own fold), encoded at once
        folded = "".join([line.fold(policy=policy) for line in lines]) + "\r\n"
        return folded.encode("utf8" if policy.utf8 else "ascii", "surrogateescape")
    return b"".join([policy.fold_binary(name, value) for name, value in items]) + b"\r\n"


@functools.lru_cache(maxsize=128)
def _body(template: str) -> qp.Body:
    """A part's template split for encoding, once per step and process (with tracking on, a
    step's HTML differs per message: it is split for that message alone, about the cost of
    encoding it whole)."""
    return qp.Body(template)


def _part(subtype: str, encoded: bytes) -> _Part:
    """One text part: UTF-8, quoted-printable (lines of at most 76 characters on the wire),
    `encoded` with LF line ends."""
    part = _Part(policy=POLICY)
    part["Content-Type"] = headers.plain("Content-Type", f'text/{subtype}; charset="utf-8"')
    part["Content-Transfer-Encoding"] = headers.plain(
        "Content-Transfer-Encoding", "quoted-printable"
    )
    part.encoded = encoded.decode("ascii")
    part.wire = encoded.replace(b"\n", b"\r\n")
    part.set_payload(part.encoded)
    return part


def _values(name: str, links: model.Links) -> dict[str, str]:
    values = {
        model.FIRST_NAME: name,
        model.GREETING: model.greeting(name),
        model.UNSUBSCRIBE: _url("unsubscribe link", links.unsubscribe),
        model.PREFERENCES: _url("preferences link", links.preferences),
    }
    if links.confirm is not None:
        values[model.CONFIRM] = _url("confirm link", links.confirm)
    return values


def _fill(template: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise errors.RenderError(
                f"the email uses %%drip:{key}%% but no value was given for it "
                "(links.confirm is only for the confirmation email)"
            )
        return values[key]

    return _PLACEHOLDER.sub(replace, template)


@functools.lru_cache(maxsize=64)
def _clinic_mailbox(field: str, text: str) -> headers.Line:
    """The clinic's `Name <address>` from sequences.yaml, checked by the rule of the door
    (once per address and process: the same for every message)."""
    name, address = contacts.mailbox(headers.checked(field, text))
    return headers.mailbox(field, name, address)


def _addr_spec(address: str) -> str:
    """The recipient, checked again at send time by the rule of the door (an address stored
    by an older drip may not pass it: the delivery then fails with the reason)."""
    return contacts.normalise(headers.checked("To", address))


def _url(field: str, url: str) -> str:
    if _PLAIN_URL.fullmatch(url):  # passes every check below, as drip's own links do
        return url
    headers.checked(field, url)
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc or _SPACE.search(url):
        raise errors.InvalidInput(f"the {field} {url!r} must be an absolute https:// URL")
    return url


def _utc(date: datetime) -> datetime:
    if date.tzinfo is None:
        raise errors.InvalidInput(f"the Date {date.isoformat()} must be timezone-aware (UTC)")
    return date.astimezone(UTC)
