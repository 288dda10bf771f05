"""DKIM: a drip email, signed by the mailer, verified by dkimpy from the bytes the SMTP server
received, against a public key published in (a test's) DNS; and tampering breaks it.

The key pair is made with `cryptography`, and the DNS record from its public half, so that
nothing of drip's own decides what "verifies" means. The verifier gets the record from a
`dnsfunc`: no network.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest

import dkim_keys
from drip import config, mail_url, mailer, rendering
from drip.mailer import base, signing
from drip.service import app
from smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "winternheimer-chiro.example"
RECORD_NAME = f"{dkim_keys.SELECTOR}._domainkey.{DOMAIN}"
REQUIRED = (
    "From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
    "MIME-Version", "Content-Type", "Reply-To",
)  # fmt: skip


@pytest.fixture
def dkim_config(tmp_path: Path) -> config.Config:
    """The committed sequences and templates, and DKIM on, with a key file like an operator's."""
    key = dkim_keys.rsa_pair().write(tmp_path)
    return config.load(
        {
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
            "DRIP_DKIM_SELECTOR": dkim_keys.SELECTOR,
            "DRIP_DKIM_DOMAIN": DOMAIN,
            "DRIP_DKIM_PRIVATE_KEY_FILE": str(key),
        }
    )


def drip_email(cfg: config.Config, *, first_name: str = "Zoë") -> EmailMessage:
    """The first step of the first sequence of the committed sequences.yaml, as compose()
    builds it for a patient: real templates, real headers, a non-ASCII name (an 8-bit body)."""
    plan, article = app.load_plan(cfg)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    cause = plan.causes[0].slug
    return rendering.compose(
        renderer.step(cause, plan.sequences[cause].steps[0].id),
        clinic=plan.clinic,
        recipient=rendering.Recipient(email="zoe@example.org", first_name=first_name),
        links=rendering.sample_links(plan.clinic.base_url),
        message_id=rendering.message_id("delivery-1", domain=DOMAIN),
        date=datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    )


def published(record: str = "", *, asked: list[str] | None = None) -> Callable[..., bytes]:
    """A dnsfunc for dkimpy: the TXT record at RECORD_NAME, nothing anywhere else."""
    text = (record or dkim_keys.rsa_pair().record).encode()

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes:
        looked_up = name.decode().rstrip(".")
        if asked is not None:
            asked.append(looked_up)
        return text if looked_up == RECORD_NAME else b""

    return dnsfunc


def verifies(data: bytes, record: str = "") -> bool:
    return bool(dkim.verify(data, dnsfunc=published(record)))


def signature_tags(data: bytes) -> dict[str, str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert head.startswith("DKIM-Signature: "), head[:80]
    unfolded = re.sub(r"\r\n[ \t]+", " ", head).split("\r\n")[0]
    value = unfolded.partition(": ")[2]
    pairs = (tag.strip().split("=", 1) for tag in value.split(";") if tag.strip())
    return {key: re.sub(r"\s+", "", val) for key, val in pairs}


def sent_through(sink: SmtpSink, cfg: config.Config, message: EmailMessage) -> bytes:
    with mailer.from_settings(mail_url.parse(sink.url), dkim=cfg.dkim) as outgoing:
        outgoing.send(message)
    return sink.wait_for(1)[0].data


def test_a_drip_email_as_the_smtp_server_received_it_verifies(
    sink: SmtpSink, dkim_config: config.Config
) -> None:
    message = drip_email(dkim_config)
    data = sent_through(sink, dkim_config, message)
    asked: list[str] = []
    assert dkim.verify(data, dnsfunc=published(asked=asked)) is True
    assert asked == [RECORD_NAME]
    tags = signature_tags(data)
    assert (tags["v"], tags["a"], tags["c"]) == ("1", "rsa-sha256", "relaxed/relaxed")
    assert (tags["d"], tags["s"]) == (DOMAIN, dkim_keys.SELECTOR)
    assert "l" not in tags and "x" not in tags
    signed = tags["h"].lower().split(":")
    for name in REQUIRED:
        assert signed.count(name.lower()) == 2, f"{name} not signed (and over-signed): {signed}"


def test_the_signature_is_prepended_to_exactly_the_bytes_drip_would_send(
    sink: SmtpSink, dkim_config: config.Config
) -> None:
    message = drip_email(dkim_config)
    data = sent_through(sink, dkim_config, message)
    header, _, rest = data.partition(b"\r\n")
    while rest.startswith((b" ", b"\t")):
        _, _, rest = rest.partition(b"\r\n")
    assert header.startswith(b"DKIM-Signature: ")
    assert rest == base.flatten(message)
    assert b"\r\n\r\n" in rest and not re.search(rb"(?<!\r)\n", data), "a bare LF on the wire"


def _replace_header(name: bytes, value: bytes) -> Callable[[bytes], bytes]:
    def tamper(data: bytes) -> bytes:
        changed, count = re.subn(rb"(?m)^" + name + rb": [^\r]*", name + b": " + value, data)
        assert count == 1, f"{name!r} not found exactly once"
        return changed

    return tamper


def _insert_after_signature(line: bytes) -> Callable[[bytes], bytes]:
    def tamper(data: bytes) -> bytes:
        head, sep, body = data.partition(b"\r\n\r\n")
        return head + b"\r\n" + line + sep + body

    return tamper


TAMPERING = {
    "List-Unsubscribe points elsewhere": _replace_header(
        b"List-Unsubscribe", b"<https://evil.example/u/steal>"
    ),
    "List-Unsubscribe-Post changed": _replace_header(
        b"List-Unsubscribe-Post", b"List-Unsubscribe=Never"
    ),
    "a second List-Unsubscribe added": _insert_after_signature(
        b"List-Unsubscribe: <mailto:evil@evil.example>"
    ),
    "a Reply-To changed": _replace_header(b"Reply-To", b"evil@evil.example"),
    "the subject changed": _replace_header(b"Subject", b"Your account is locked"),
    "a word of the body changed": lambda data: data.replace(b"Book a visit", b"Book a scam", 1),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_with_a_signed_header_or_the_body_breaks_the_signature(
    sink: SmtpSink, dkim_config: config.Config, tamper: Callable[[bytes], bytes]
) -> None:
    data = sent_through(sink, dkim_config, drip_email(dkim_config))
    assert verifies(data)
    changed = tamper(data)
    assert changed != data
    assert not verifies(changed)


def test_relaxed_canonicalisation_survives_a_relay_that_refolds_headers(
    sink: SmtpSink, dkim_config: config.Config
) -> None:
    """Why relaxed/relaxed: a relay that unfolds a folded header or re-spaces it does not
    break the signature (a changed word does, above)."""
    data = sent_through(sink, dkim_config, drip_email(dkim_config, first_name="A" * 60))
    assert re.search(rb"\r\nTo: [^\r]*\r\n ", data), "the To line was expected folded"
    refolded = re.sub(rb"(\r\nTo: [^\r]*)\r\n ", rb"\1  ", data, count=1)
    assert refolded != data and verifies(refolded)


def test_a_key_that_is_not_the_published_one_does_not_verify(
    sink: SmtpSink, dkim_config: config.Config
) -> None:
    data = sent_through(sink, dkim_config, drip_email(dkim_config))
    assert not verifies(data, record=dkim_keys.rsa_pair(seed=1).record)


def test_the_file_mailer_signs_the_eml_it_writes(dkim_config: config.Config) -> None:
    with mailer.from_settings(mail_url.parse("file://outbox"), dkim=dkim_config.dkim) as files:
        files.send(drip_email(dkim_config))
    (written,) = Path("outbox").glob("*.eml")
    assert written.read_bytes().startswith(b"DKIM-Signature: ")
    assert verifies(written.read_bytes())


def test_the_memory_mailer_signs_too_and_shows_the_header(dkim_config: config.Config) -> None:
    outbox = mailer.from_settings(mail_url.parse("memory://"), dkim=dkim_config.dkim)
    assert isinstance(outbox, mailer.MemoryMailer)
    outbox.send(drip_email(dkim_config))
    assert verifies(outbox.raw[0])
    assert "d=winternheimer-chiro.example" in str(outbox.sent[0]["DKIM-Signature"])


def test_without_dkim_settings_nothing_is_signed(sink: SmtpSink, tmp_path: Path) -> None:
    cfg = config.load(
        {
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        }
    )
    assert cfg.dkim is None
    message = drip_email(cfg)
    assert sent_through(sink, cfg, message) == base.flatten(message)


def test_the_record_drip_tells_the_clinic_to_publish_is_the_public_key(
    dkim_config: config.Config,
) -> None:
    assert dkim_config.dkim is not None
    assert signing.public_record(dkim_config.dkim) == dkim_keys.rsa_pair().record
    assert dkim_config.dkim.record == RECORD_NAME


def test_the_received_message_still_reads_as_the_same_email(
    sink: SmtpSink, dkim_config: config.Config
) -> None:
    message = drip_email(dkim_config)
    data = sent_through(sink, dkim_config, message)
    received = email.message_from_bytes(data, policy=email.policy.default)
    assert [k for k in received if k != "DKIM-Signature"] == list(message.keys())
    assert received.get_body(("html",)) is not None
