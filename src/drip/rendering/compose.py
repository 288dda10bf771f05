"""Personalise a rendered step for one patient and build the MIME message.

This is the only place personal values enter an email: the placeholders of a `RenderedStep`
are replaced in one pass (so a value can never introduce another placeholder), the first name
HTML-escaped in the HTML part and tidied everywhere (`drip.contacts.first_name`). Every header
is written by `drip.rendering.headers`, never parsed and refolded by the email package; header
values with a line break are refused; the pain cause is never put in a header.
"""

from __future__ import annotations

import email.policy
import hashlib
import html
import re
from datetime import UTC, datetime
from email import utils
from email.message import EmailMessage
from urllib.parse import urlsplit

from drip import contacts, errors, sequences
from drip.rendering import headers, model

POLICY = email.policy.SMTP  # CRLF line ends, as the message goes on the wire
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
    message = EmailMessage(policy=POLICY)
    message["From"] = _mailbox("From", clinic.from_address)
    message["To"] = headers.mailbox("To", name, _addr_spec(recipient.email))
    if clinic.reply_to:
        message["Reply-To"] = _mailbox("Reply-To", clinic.reply_to)
    message["Subject"] = headers.text("Subject", _fill(rendered.subject, values))
    message["Date"] = headers.plain("Date", utils.format_datetime(_utc(date)))
    message["Message-ID"] = headers.plain("Message-ID", message_id)
    message["List-Unsubscribe"] = headers.unsubscribe(values[model.UNSUBSCRIBE])
    message["List-Unsubscribe-Post"] = headers.plain(
        "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
    )
    message.set_content(_fill(rendered.text, values))
    message.add_alternative(_fill(rendered.html, escaped), subtype="html", cte="quoted-printable")
    return message


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


def _mailbox(field: str, text: str) -> headers.Line:
    """The clinic's `Name <address>` from sequences.yaml, checked by the rule of the door."""
    name, address = contacts.mailbox(headers.checked(field, text))
    return headers.mailbox(field, name, address)


def _addr_spec(address: str) -> str:
    """The recipient, checked again at send time by the rule of the door (an address stored
    by an older drip may not pass it: the delivery then fails with the reason)."""
    return contacts.normalise(headers.checked("To", address))


def _url(field: str, url: str) -> str:
    headers.checked(field, url)
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc or any(c.isspace() for c in url):
        raise errors.InvalidInput(f"the {field} {url!r} must be an absolute https:// URL")
    return url


def _utc(date: datetime) -> datetime:
    if date.tzinfo is None:
        raise errors.InvalidInput(f"the Date {date.isoformat()} must be timezone-aware (UTC)")
    return date.astimezone(UTC)
