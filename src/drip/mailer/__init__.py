"""Mailers: hand an email to the world. The port is `Mailer`; pick one with `from_settings`.

    smtp://…, smtps://…     SmtpMailer      (see drip.mail_url for every option)
    file://outbox           FileMailer      one .eml file per message
    memory://[NAME]         MemoryMailer    kept in the process (one per NAME)

Every mailer raises `errors.SendError` (with the reply `code` and `enhanced` status when the
server answered) and is a context manager that closes itself. No mailer logs a message's
content or headers.
"""

from __future__ import annotations

import email.message
import ssl
from types import TracebackType
from typing import Protocol, Self

from drip import mail_url
from drip.mailer import files, memory, smtp

FileMailer = files.FileMailer
MemoryMailer = memory.MemoryMailer
SmtpMailer = smtp.SmtpMailer

__all__ = ["FileMailer", "Mailer", "MemoryMailer", "SmtpMailer", "from_settings", "from_url"]


class Mailer(Protocol):
    """What the dispatcher needs: send one message, and close when done."""

    def send(self, message: email.message.EmailMessage) -> None:
        """Hand `message` over; raises errors.SendError(message, code=, enhanced=)."""

    def close(self) -> None:
        """Release the connection, if any."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def from_settings(url: mail_url.MailUrl, *, ssl_context: ssl.SSLContext | None = None) -> Mailer:
    """The mailer a parsed DRIP_SMTP_URL names.

    `ssl_context` replaces the default TLS context of an SMTP mailer (e.g. to trust a private
    CA); other mailers ignore it.
    """
    if url.kind is mail_url.Kind.SMTP:
        assert url.smtp is not None  # mail_url.parse sets it for every smtp URL
        return smtp.SmtpMailer(url.smtp, ssl_context=ssl_context)
    if url.kind is mail_url.Kind.FILE:
        return files.FileMailer(url.folder)
    return memory.named(url.name) if url.name else memory.MemoryMailer()


def from_url(url: str, *, ssl_context: ssl.SSLContext | None = None) -> Mailer:
    """`from_settings(mail_url.parse(url))`: errors.ConfigError for a URL that names no mailer."""
    return from_settings(mail_url.parse(url), ssl_context=ssl_context)
