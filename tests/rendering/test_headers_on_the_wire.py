"""The header block as it goes on the wire, for any first name a patient can type.

Read from the flattened bytes (what SMTP carries), never from a re-parsed message: a re-parse
decodes encoded-words and hid both a `Bcc:` injected through the first name and an encoded
`List-Unsubscribe`.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest
import rendering_seed as seed
from hypothesis import given, settings
from hypothesis import strategies as st

from drip import contacts, errors, rendering
from drip.mailer import base

UNSUBSCRIBE = "https://tips.winternheimer-chiro.example/u/" + "eyJzIjoiNWYwYzRiMGUi" * 6
LINKS = rendering.Links(
    unsubscribe=UNSUBSCRIBE,
    preferences="https://tips.winternheimer-chiro.example/p/abc.def",
    confirm="https://tips.winternheimer-chiro.example/c/abc.def",
)
HEADERS = [
    "From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Unsubscribe",
    "List-Unsubscribe-Post", "MIME-Version", "Content-Type",
]  # fmt: skip
HOSTILE = [
    "Ana =?utf-8?q?=0D=0ABcc:=20evil=40x.org?=",
    "Ana =?utf-8?q?=0D=0A=0D=0A?= body",
    "é =?utf-8?q?=3Cevil=40x=2Eorg=3E?=",
    'Ana "the boss" <evil@x.org>, Bob <b@x.org>',
    "Ana\\r\\nBcc: evil@x.org",
    "=?utf-8?b?QmNjOiBldmlsQHgub3Jn?=",
    "Zoë O'Brien-Łukasz 山田 🙂",
    "a" * 80,
    "",
]


def wire(name: str, *, subject: str = "Heat and ice, {{ subscriber.first_name }}") -> bytes:
    rendered = rendering.RenderedStep(
        subject=subject.replace("{{ subscriber.first_name }}", "%%drip:first_name%%"),
        preheader="",
        html="<p>%%drip:greeting%%</p>",
        text="%%drip:greeting%%\n",
    )
    message = rendering.compose(
        rendered,
        clinic=seed.CLINIC,
        recipient=rendering.Recipient(email="v@example.com", first_name=name),
        links=LINKS,
        message_id=rendering.message_id("delivery-1", domain="winternheimer-chiro.example"),
        date=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    )
    return base.flatten(message)


def header_block(data: bytes) -> list[str]:
    """The header lines, unfolded, up to the first empty line."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "\n" not in head.replace("\r\n", ""), "a bare line feed in the header block"
    lines = head.split("\r\n")
    assert all(len(line) <= 998 for line in lines)
    unfolded: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            unfolded[-1] += line
        else:
            unfolded.append(line)
    return unfolded


def display_name(raw_to: str) -> str:
    """The To header's display name, decoded as RFC 2047 says (adjacent encoded-words joined;
    the email package's own parser keeps the folding space between them)."""
    if raw_to == "To: v@example.com":
        return ""
    phrase = raw_to.removeprefix("To: ").removesuffix("<v@example.com>").strip()
    if phrase.startswith('"'):
        return phrase.strip('"')
    return str(make_header(decode_header(phrase)))


def check(data: bytes, name: str) -> EmailMessage:
    unfolded = header_block(data)
    assert [line.partition(":")[0] for line in unfolded] == HEADERS
    assert f"List-Unsubscribe: <{UNSUBSCRIBE}>" in unfolded  # literal, RFC 2369
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    [to] = parsed["To"].addresses
    assert to.addr_spec == "v@example.com"
    [raw_to] = [line for line in unfolded if line.startswith("To: ")]
    assert display_name(raw_to) == contacts.first_name(name)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    return parsed


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_first_name_stays_a_display_name(name: str) -> None:
    parsed = check(wire(name), name)
    shown = contacts.first_name(name)
    assert str(parsed["Subject"]) == f"Heat and ice, {shown}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80).filter(lambda t: len(contacts.first_name(t)) <= contacts.MAX_NAME))
def test_any_first_name_gives_the_same_header_block(name: str) -> None:
    check(wire(name), name)


def test_the_unsubscribe_header_is_one_literal_line_however_long() -> None:
    head = wire("Ana").split(b"\r\n\r\n", 1)[0].decode("ascii")
    [line] = [raw for raw in head.split("\r\n") if raw.startswith("List-Unsubscribe:")]
    assert line == f"List-Unsubscribe: <{UNSUBSCRIBE}>"
    assert "=?" not in head.split("List-Unsubscribe:")[1].split("\r\n")[0]


def test_a_plain_name_is_written_as_typed_and_a_long_subject_folds_at_spaces() -> None:
    subject = "A tip " * 30 + "{{ subscriber.first_name }}"
    data = wire("Ana Silva", subject=subject)
    lines = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    assert 'To: "Ana Silva" <v@example.com>' in lines
    start = next(n for n, line in enumerate(lines) if line.startswith("Subject:"))
    end = next(n for n, line in enumerate(lines) if n > start and not line.startswith(" "))
    assert end - start > 1 and all(len(line) <= 78 for line in lines[start:end])
    assert "".join(lines[start:end]) == "Subject: " + subject.replace(
        "{{ subscriber.first_name }}", "Ana Silva"
    )


def test_a_name_with_any_other_character_is_base64_encoded_words() -> None:
    head = header_block(wire("Zoë =?x?="))
    [to] = [line for line in head if line.startswith("To:")]
    assert re.fullmatch(r"To: (=\?utf-8\?b\?[A-Za-z0-9+/=]+\?= ?)+ <v@example\.com>", to)


def test_a_line_break_in_a_header_value_is_refused_not_written() -> None:
    with pytest.raises(errors.HeaderInjectionError):
        wire("Ana", subject="Tip\r\nBcc: evil@x.org")
