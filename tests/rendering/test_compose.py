"""compose(): personalisation, exact headers, escaping, and no header injection."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

import pytest
import rendering_seed as seed

from drip import errors, rendering, sequences

DOMAIN = "winternheimer-chiro.example"
DATE = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
LINKS = rendering.sample_links("https://tips.winternheimer-chiro.example/")
UNSUBSCRIBE = "https://tips.winternheimer-chiro.example/u/SAMPLE-TOKEN"


def _compose(
    rendered: rendering.RenderedStep,
    *,
    first_name: str = "Sam",
    address: str = "sample.patient@example.com",
    key: str = "delivery-1",
) -> EmailMessage:
    return rendering.compose(
        rendered,
        clinic=seed.CLINIC,
        recipient=rendering.Recipient(email=address, first_name=first_name),
        links=LINKS,
        message_id=rendering.message_id(key, domain=DOMAIN),
        date=DATE,
    )


def _parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def _reparsed(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_are_exact(renderer: rendering.Renderer) -> None:
    message = _reparsed(_compose(renderer.step("muscle-injury", "welcome")))
    expected_id = f"<{hashlib.sha256(b'delivery-1').hexdigest()[:32]}@{DOMAIN}>"
    assert dict(message.items()) == {
        "From": "Winternheimer Chiropractic <tips@winternheimer-chiro.example>",
        "To": "Sam <sample.patient@example.com>",
        "Reply-To": "frontdesk@winternheimer-chiro.example",
        "Subject": "Back-care tip: welcome",
        "Date": "Tue, 04 Mar 2025 15:30:00 +0000",
        "Message-ID": expected_id,
        "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "MIME-Version": "1.0",
        "Content-Type": message["Content-Type"],
    }
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]


def test_wire_form_uses_crlf(renderer: rendering.Renderer) -> None:
    raw = _compose(renderer.step("muscle-injury", "welcome")).as_bytes()
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_message_id_is_stable_for_a_key_and_differs_between_keys(
    renderer: rendering.Renderer,
) -> None:
    rendered = renderer.step("muscle-injury", "rest")
    first, again = _compose(rendered, key="d-42"), _compose(rendered, key="d-42")
    assert first["Message-ID"] == again["Message-ID"]
    assert re.fullmatch(rf"<[0-9a-f]{{32}}@{re.escape(DOMAIN)}>", first["Message-ID"])
    assert _compose(rendered, key="d-43")["Message-ID"] != first["Message-ID"]


def test_date_is_converted_to_utc_and_must_be_aware(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("muscle-injury", "welcome")
    chicago = DATE.astimezone(timezone(timedelta(hours=-6)))
    message = rendering.compose(
        rendered,
        clinic=seed.CLINIC,
        recipient=rendering.SAMPLE_RECIPIENT,
        links=LINKS,
        message_id="<x@y.example>",
        date=chicago,
    )
    assert message["Date"] == "Tue, 04 Mar 2025 15:30:00 +0000"
    with pytest.raises(errors.InvalidInput, match="timezone-aware"):
        rendering.compose(
            rendered,
            clinic=seed.CLINIC,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=LINKS,
            message_id="<x@y.example>",
            date=DATE.replace(tzinfo=None),
        )


def test_personal_values_fill_both_parts(renderer: rendering.Renderer) -> None:
    text, html = _parts(_compose(renderer.step("muscle-injury", "heat-and-ice")))
    assert "\n\nHi Sam,\n\n" in text  # after the headline
    assert ">Hi Sam,</p>" in html
    assert f"\nUnsubscribe: {UNSUBSCRIBE}\n" in text
    assert re.search(f'<a href="{re.escape(UNSUBSCRIBE)}"[^>]*>Unsubscribe</a>', html)
    assert "https://tips.winternheimer-chiro.example/p/SAMPLE-TOKEN" in text
    assert "%%drip:" not in text and "%%drip:" not in html


def test_confirmation_links_to_confirm(renderer: rendering.Renderer) -> None:
    text, html = _parts(_compose(renderer.confirmation()))
    confirm = "https://tips.winternheimer-chiro.example/c/SAMPLE-TOKEN"
    assert f"\n[1] {confirm}\n" in text
    assert f'href="{confirm}"' in html


def test_confirmation_without_a_confirm_link_is_refused(renderer: rendering.Renderer) -> None:
    with pytest.raises(errors.RenderError, match="%%drip:confirm%%"):
        rendering.compose(
            renderer.confirmation(),
            clinic=seed.CLINIC,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=rendering.Links(unsubscribe=UNSUBSCRIBE, preferences=UNSUBSCRIBE),
            message_id="<x@y.example>",
            date=DATE,
        )


def test_empty_first_name_gets_a_neutral_greeting(renderer: rendering.Renderer) -> None:
    message = _compose(renderer.step("muscle-injury", "welcome"), first_name=" \t ")
    text, html = _parts(message)
    assert "\n\nHello,\n\n" in text
    assert ">Hello,</p>" in html
    assert message["To"] == "sample.patient@example.com"


def test_first_name_is_escaped_in_html_and_plain_in_text(renderer: rendering.Renderer) -> None:
    name = "<script>alert('x')</script> Tom & \"Jo\""
    message = _compose(renderer.step("muscle-injury", "welcome"), first_name=name)
    text, html = _parts(message)
    assert "<script>" not in html
    expected = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Tom &amp; &quot;Jo&quot;"
    assert f">Hi {expected},</p>" in html
    assert f"\n\nHi {name},\n" in text
    assert _reparsed(message)["To"].addresses[0].display_name == name


def test_a_first_name_cannot_add_placeholders(renderer: rendering.Renderer) -> None:
    rendered = renderer.step("muscle-injury", "welcome")
    text, _ = _parts(_compose(rendered, first_name="%%drip:unsubscribe%%"))
    assert "\n\nHi %%drip:unsubscribe%%,\n" in text


def test_first_name_cannot_inject_headers(renderer: rendering.Renderer) -> None:
    message = _compose(renderer.step("muscle-injury", "welcome"), first_name="Sam\r\nBcc: evil@x")
    parsed = _reparsed(message)
    assert parsed.get_all("Bcc") is None
    assert len(parsed.get_all("Subject") or []) == 1
    assert parsed["To"].addresses[0].display_name == "Sam Bcc: evil@x"
    assert parsed["To"].addresses[0].addr_spec == "sample.patient@example.com"
    text, _ = _parts(parsed)
    assert "\r\n\r\nHi Sam Bcc: evil@x,\r\n\r\n" in text  # CRLF: parsed from the wire


def test_subject_with_a_line_break_is_refused(renderer: rendering.Renderer) -> None:
    bad = rendering.RenderedStep(subject="Tips\r\nBcc: evil@x", preheader="", html="", text="")
    with pytest.raises(errors.HeaderInjectionError, match=r"^Subject 'Tips"):
        _compose(bad)


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("sam@example.com\r\nBcc: evil@x", errors.HeaderInjectionError),
        ("not-an-address", errors.InvalidInput),
        ("a@example.com, b@example.com", errors.InvalidInput),
        ("Sam <sam@example.com>", errors.InvalidInput),
        ("sam@localhost", errors.InvalidInput),
    ],
)
def test_bad_recipient_addresses_are_refused(
    renderer: rendering.Renderer, address: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=re.escape(repr(address)[:12])):
        _compose(renderer.step("muscle-injury", "welcome"), address=address)


def test_from_with_a_line_break_is_refused(renderer: rendering.Renderer) -> None:
    clinic = sequences.Clinic(**{**seed.CLINIC.__dict__, "from_address": "a@b.example\nBcc: x@y"})
    with pytest.raises(errors.HeaderInjectionError, match=r"^From "):
        rendering.compose(
            renderer.step("muscle-injury", "welcome"),
            clinic=clinic,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=LINKS,
            message_id="<x@y.example>",
            date=DATE,
        )


def test_a_link_with_a_line_break_is_refused(renderer: rendering.Renderer) -> None:
    links = rendering.Links(unsubscribe=UNSUBSCRIBE + "\r\nBcc: x@y", preferences=UNSUBSCRIBE)
    with pytest.raises(errors.HeaderInjectionError, match=r"^unsubscribe link"):
        rendering.compose(
            renderer.step("muscle-injury", "welcome"),
            clinic=seed.CLINIC,
            recipient=rendering.SAMPLE_RECIPIENT,
            links=links,
            message_id="<x@y.example>",
            date=DATE,
        )


def test_the_pain_cause_never_appears_in_a_header(renderer: rendering.Renderer) -> None:
    plan = seed.seed_plan()
    needles = [w for c in plan.causes for w in (c.slug, c.label)]
    needles += ["muscle", "disc", "injury"]  # parts of the slugs and labels
    checked = 0
    for cause, step_id in seed.all_steps(plan):
        message = _reparsed(_compose(renderer.step(cause, step_id), key=f"{cause}/{step_id}"))
        for part in [message, *message.iter_parts()]:
            for name, value in part.items():
                for needle in needles:
                    assert needle.lower() not in f"{name}: {value}".lower(), (cause, step_id)
                checked += 1
    assert checked > 50
