"""A mailer that keeps messages in a list: the fake shipped with the port, for tests and demos.

It keeps what would go on the wire: each message is flattened as SMTP carries it (`.raw`) and
parsed back as a receiving server would read it (`.sent`), so what it shows is what leaves.
"""

from __future__ import annotations

import collections
import email
import email.message
import email.policy
import threading

from drip import errors
from drip.mailer import base

_NAMED: dict[str, MemoryMailer] = {}
_NAMED_LOCK = threading.Lock()


class MemoryMailer(base.Base):
    """Keeps every sent message in `.sent` (parsed back from `.raw`, its bytes on the wire);
    `fail_next` makes the next sends raise."""

    def __init__(self, *, signer: base.Sign | None = None) -> None:
        self.signer = signer
        self.sent: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.closed = False
        self._failures: collections.deque[errors.SendError] = collections.deque()
        self._lock = threading.Lock()

    def fail_next(self, count: int, error: errors.SendError) -> None:
        """Make the next `count` sends raise a copy of `error` (queued after earlier ones)."""
        with self._lock:
            self._failures.extend(error for _ in range(count))

    def send(self, message: email.message.EmailMessage) -> None:
        """Record `message`, or raise the next queued failure instead."""
        sender, recipients = base.envelope(message)  # refuse what a server would: no From, no To
        data = self.wire(message, international=base.is_international(sender, *recipients))
        with self._lock:
            self.closed = False
            if self._failures:
                failure = self._failures.popleft()
                raise errors.SendError(str(failure), code=failure.code, enhanced=failure.enhanced)
            self.raw.append(data)
            self.sent.append(_received(data))

    def close(self) -> None:
        self.closed = True


def _received(data: bytes) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def named(name: str, *, signer: base.Sign | None = None) -> MemoryMailer:
    """The process-wide MemoryMailer called `name` (`memory://name`), created on first use;
    it signs with the `signer` of the latest call."""
    with _NAMED_LOCK:
        mailer = _NAMED.setdefault(name, MemoryMailer())
        mailer.signer = signer
        return mailer
