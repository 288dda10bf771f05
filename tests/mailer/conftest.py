"""Fixtures for mailer tests: a real SMTP server on loopback (tests/smtp_sink.py)."""

from __future__ import annotations

import email.message
from collections.abc import Callable

import pytest

from smtp_sink import SelfSignedTls


@pytest.fixture
def tls() -> SelfSignedTls:
    return SelfSignedTls.create()


@pytest.fixture
def make_message() -> Callable[..., email.message.EmailMessage]:
    def make(
        n: int = 1, *, to: str = "patient@example.org", body: str | None = None
    ) -> email.message.EmailMessage:
        message = email.message.EmailMessage()
        message["From"] = "Winternheimer Chiropractic <tips@clinic.example>"
        message["To"] = f"Pat Example <{to}>"
        message["Subject"] = f"Tip {n}"
        message["Message-ID"] = f"<tip-{n}@clinic.example>"
        message.set_content(body if body is not None else f"Tip number {n}.\n\n.leading dot\n")
        return message

    return make
