"""Mailers: hand an email to the world. The port is `Mailer`; pick one by URL with `from_url`.

    smtp://[user:pass@]host[:port][?starttls=true&timeout=30&mail_from=…]   SmtpMailer
    smtps://[user:pass@]host[:port]                                         SmtpMailer, TLS
    file://outbox (relative) · file:///var/drip/outbox (absolute)           FileMailer
    memory:// (a new one) · memory://NAME (one per NAME in the process)     MemoryMailer

Every mailer raises `errors.SendError` (with the reply `code` and `enhanced` status when the
server answered) and is a context manager that closes itself. No mailer logs a message's
content or headers.
"""

from __future__ import annotations

import email.message
import ssl
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import unquote, urlsplit

from drip import config, errors
from drip.mailer import files, memory, settings, smtp

FileMailer = files.FileMailer
MemoryMailer = memory.MemoryMailer
SmtpMailer = smtp.SmtpMailer
SmtpSettings = settings.SmtpSettings
Security = settings.Security
redact = config.redact_url  # the one redaction helper; never print a password

__all__ = [
    "FileMailer",
    "Mailer",
    "MemoryMailer",
    "Security",
    "SmtpMailer",
    "SmtpSettings",
    "from_url",
    "redact",
]


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


def from_url(url: str, *, ssl_context: ssl.SSLContext | None = None) -> Mailer:
    """The mailer a URL names (see the module docstring); errors.ConfigError if it names none.

    `ssl_context` replaces the default TLS context of an SMTP mailer (e.g. to trust a private
    CA); other mailers ignore it.
    """
    parts = urlsplit(url)
    if parts.scheme in ("smtp", "smtps"):
        return smtp.SmtpMailer(settings.SmtpSettings.from_url(url), ssl_context=ssl_context)
    if parts.scheme == "file":
        directory = unquote(parts.netloc + parts.path)
        if not directory:
            raise errors.ConfigError(
                f"DRIP_SMTP_URL: {url!r} names no directory; write file://outbox"
            )
        return files.FileMailer(directory)
    if parts.scheme == "memory":
        name = parts.netloc + parts.path
        return memory.named(name) if name else memory.MemoryMailer()
    raise errors.ConfigError(
        f"{config.redact_url(url)!r} is not a mailer URL; use smtp://host:port, smtps://host, "
        "file://DIR or memory://"
    )
