"""Mailers: hand an email to the world. The port is `Mailer`; pick one with `from_settings`.

    smtp://…, smtps://…     SmtpMailer      (see drip.mail_url for every option)
    file://outbox           FileMailer      one .eml file per message
    memory://[NAME]         MemoryMailer    kept in the process (one per NAME)

With `dkim=` (drip.config.Config.dkim), every one of them DKIM-signs the exact bytes it hands
over (drip.mailer.signing). `probe` checks that a URL's mailer could send, sending nothing.

Every mailer raises `errors.SendError` (with the reply `code` and `enhanced` status when the
server answered) and is a context manager that closes itself. No mailer logs a message's
content or headers.
"""

from __future__ import annotations

import email.message
import ssl
from types import TracebackType
from typing import Protocol, Self

from drip import config, mail_url
from drip.mailer import files, memory, signing, smtp

FileMailer = files.FileMailer
MemoryMailer = memory.MemoryMailer
SmtpMailer = smtp.SmtpMailer

__all__ = [
    "FileMailer", "Mailer", "MemoryMailer", "SmtpMailer", "from_settings", "from_url", "probe",
]  # fmt: skip


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


def from_settings(
    url: mail_url.MailUrl,
    *,
    ssl_context: ssl.SSLContext | None = None,
    dkim: config.Dkim | None = None,
) -> Mailer:
    """The mailer a parsed DRIP_SMTP_URL names, signing with `dkim` when given.

    `ssl_context` replaces the default TLS context of an SMTP mailer (e.g. to trust a private
    CA); other mailers ignore it. ConfigError when the DKIM key cannot sign: at start-up,
    before anything is claimed.
    """
    signer = signing.signer(dkim) if dkim is not None else None
    if url.kind is mail_url.Kind.SMTP:
        assert url.smtp is not None  # mail_url.parse sets it for every smtp URL
        return smtp.SmtpMailer(url.smtp, ssl_context=ssl_context, signer=signer)
    if url.kind is mail_url.Kind.FILE:
        return files.FileMailer(url.folder, signer=signer)
    return memory.named(url.name, signer=signer) if url.name else memory.MemoryMailer(signer=signer)


def from_url(url: str, *, ssl_context: ssl.SSLContext | None = None) -> Mailer:
    """`from_settings(mail_url.parse(url))`: errors.ConfigError for a URL that names no mailer."""
    return from_settings(mail_url.parse(url), ssl_context=ssl_context)


def probe(url: mail_url.MailUrl, *, ssl_context: ssl.SSLContext | None = None) -> str:
    """What sending to `url` would do, found by doing all of it but the message: for SMTP,
    connect, EHLO, STARTTLS and AUTH as configured, then QUIT. errors.SendError (SMTP) or
    errors.ConfigError (a folder drip cannot write) when it could not send."""
    if url.kind is mail_url.Kind.SMTP:
        assert url.smtp is not None
        steps = smtp.SmtpMailer(url.smtp, ssl_context=ssl_context).probe()
        return f"{url.smtp.where}: {', '.join(steps)}; no message sent"
    if url.kind is mail_url.Kind.FILE:
        return files.check_folder(url.folder)
    return "keeps messages in this process (memory://)"
