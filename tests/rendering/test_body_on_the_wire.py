"""The body as it goes on the wire (`drip.rendering.compose` builds the MIME itself): for any
text a template and a patient's name can produce, the flattened bytes are valid
quoted-printable MIME whose parts decode to exactly the personalised text, with SMTP's line
rules kept. Read from the bytes `drip.mailer.base.flatten` hands to SMTP."""

from __future__ import annotations

import email
import email.generator
import email.policy
import html as markup
import io
import re
from datetime import UTC, datetime
from email.message import EmailMessage

import rendering_seed as seed
from hypothesis import given, settings
from hypothesis import strategies as st

from drip import contacts, rendering
from drip.mailer import base
from drip.rendering import model

LINKS = rendering.Links(
    unsubscribe="https://tips.winternheimer-chiro.example/u/" + "eyJzIjoiNWYwYzRiMGUi" * 6,
    preferences="https://tips.winternheimer-chiro.example/p/abc.def",
    confirm=None,
)
# What a template can hold: any text, long lines, '=' and '=_', trailing blanks, lines that
# look like a boundary or a dot, CR and LF of every kind, and the placeholders.
BODY = st.lists(
    st.one_of(
        st.text(max_size=200),
        st.sampled_from(
            ["=", "=_", "--=_", "-- ", ".", "From me", "\t", " \n", "\r\n", "\r", "é" * 90,
             "%%drip:greeting%%", "%%drip:first_name%%", "%%drip:unsubscribe%%", "x" * 300]
        ),
    ),
    max_size=12,
).map("".join)  # fmt: skip


def composed(text: str, html: str, name: str) -> EmailMessage:
    rendered = rendering.RenderedStep(subject="Tip", preheader="", html=html, text=text)
    return rendering.compose(
        rendered,
        clinic=seed.CLINIC,
        recipient=rendering.Recipient(email="v@example.com", first_name=name),
        links=LINKS,
        message_id=rendering.message_id("delivery-1", domain="winternheimer-chiro.example"),
        date=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    )


def flattened(text: str, html: str, name: str) -> bytes:
    return base.flatten(composed(text, html, name))


def generated(message: EmailMessage) -> bytes:
    """What the email package's own generator writes for `message`."""
    out = io.BytesIO()
    email.generator.BytesGenerator(out, policy=email.policy.SMTP).flatten(message)
    return out.getvalue()


def personalised(template: str, name: str, *, escape: bool) -> str:
    tidy = contacts.first_name(name)
    values = {
        "greeting": model.greeting(tidy),
        "first_name": tidy,
        "unsubscribe": LINKS.unsubscribe,
    }
    for key, value in values.items():
        template = template.replace(f"%%drip:{key}%%", markup.escape(value) if escape else value)
    return "\n".join(template.splitlines()) + "\n"


@settings(max_examples=150, deadline=None)
@given(text=BODY, html=BODY, name=st.text(max_size=40).filter(lambda n: "%%" not in n))
def test_every_part_decodes_to_the_personalised_text_and_keeps_smtps_line_rules(
    text: str, html: str, name: str
) -> None:
    message = composed(text, html, name)
    wire = base.flatten(message)
    assert wire == generated(message)  # compose's own flattening writes the very same bytes
    lines = wire.split(b"\r\n")
    assert b"\r" not in wire.replace(b"\r\n", b"") and b"\n" not in wire.replace(b"\r\n", b"")
    head, _, body = wire.partition(b"\r\n\r\n")
    boundary = re.search(rb'boundary="([^"]+)"', head)
    assert boundary is not None
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))  # quoted-printable: 76
    assert sum(line == b"--" + boundary.group(1) for line in lines) == 2  # nothing else meets it
    parsed = email.message_from_bytes(wire, policy=email.policy.default)
    plain, rich = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and rich is not None
    assert [p["Content-Transfer-Encoding"] for p in (plain, rich)] == ["quoted-printable"] * 2
    assert [p.get_content_charset() for p in (plain, rich)] == ["utf-8"] * 2
    decoded = [p.get_content().replace("\r\n", "\n") for p in (plain, rich)]  # CRLF on the wire
    assert decoded == [
        personalised(text, name, escape=False),
        personalised(html, name, escape=True),
    ]


def test_the_boundary_is_the_same_for_a_retry_of_the_same_delivery() -> None:
    assert flattened("a", "<p>a</p>", "Ana") == flattened("a", "<p>a</p>", "Ana")


def test_a_message_changed_after_compose_is_written_as_changed() -> None:
    message = composed("a", "<p>a</p>", "Ana")
    plain = next(message.iter_parts())
    plain.set_payload("b\n")  # the fast path no longer holds: the generator writes it
    wire = base.flatten(message)
    assert wire == generated(message) and b"\r\nb\r\n" in wire
    message.replace_header("Subject", "[TEST] Tip")  # as drip send-test does
    assert b"\r\nSubject: [TEST] Tip\r\n" in base.flatten(message)
