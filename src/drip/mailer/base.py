"""What every mailer shares: context-manager support, the envelope read from the headers, and
the bytes on the wire (flattened, then DKIM-signed when the mailer was given a signer)."""

from __future__ import annotations

import email.message
import email.policy
import email.utils
from collections.abc import Callable
from types import TracebackType
from typing import Self

from drip import errors

Sign = Callable[[bytes], bytes]  # wire bytes -> the same bytes with a signature header first


class Base:
    """A mailer usable as a context manager: `with mailer.from_url(url) as m: m.send(msg)`."""

    signer: Sign | None = None  # drip.mailer.signing.Signer when DKIM is on

    def wire(self, message: email.message.EmailMessage, *, international: bool) -> bytes:
        """The exact bytes this mailer hands over: `flatten`, then signed if it signs."""
        data = flatten(message, international=international)
        return data if self.signer is None else self.signer(data)

    def send(self, message: email.message.EmailMessage) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the mailer holds (a connection); it may be used again afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def envelope(
    message: email.message.EmailMessage, *, mail_from: str | None = None
) -> tuple[str, list[str]]:
    """(envelope sender, recipients): the From address (or `mail_from`), and To + Cc."""
    sender = mail_from or _first_address(message, "From")
    recipients = [
        address
        for _, address in email.utils.getaddresses(
            [str(v) for v in message.get_all("To", []) + message.get_all("Cc", [])]
        )
        if address
    ]
    if not recipients:
        raise errors.InvalidInput("the message has no To address; compose it with a recipient")
    return sender, recipients


def is_international(*addresses: str) -> bool:
    """Whether any address needs SMTPUTF8 (non-ASCII characters)."""
    return any(not a.isascii() for a in addresses)


def flatten(message: email.message.EmailMessage, *, international: bool = False) -> bytes:
    """The message as it goes on the wire: CRLF line ends, no line longer than SMTP allows."""
    policy = email.policy.SMTPUTF8 if international else email.policy.SMTP
    return message.as_bytes(policy=policy)


def _first_address(message: email.message.EmailMessage, header: str) -> str:
    pairs = email.utils.getaddresses([str(v) for v in message.get_all(header, [])])
    address = next((a for _, a in pairs if a), "")
    if not address:
        raise errors.InvalidInput(
            f"the message has no {header} address; set the clinic's `from` in sequences.yaml"
        )
    return address
