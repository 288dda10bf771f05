"""A real SMTP server on loopback for tests: records what it receives, and misbehaves on request.

    with SmtpSink() as sink:                       # 127.0.0.1, a free port
        mailer = drip.mailer.from_url(sink.url)
        ...
        sink.messages                              # [Received(mail_from, rcpt_tos, data)]
        sink.connections                           # TCP connections accepted so far
        sink.fail_with(550, "5.1.1 No such user")  # the next RCPT TO gets that reply
        sink.drop_connections()                    # the server hangs up on every client
        sink.wait_for(3)                           # block until 3 messages arrived (no sleeping)
        sink.hold_after(10)                        # the 11th DATA gets no reply until release()
        sink.wait_held()                           # block until a client waits in that DATA

TLS: `tls = SelfSignedTls.create()`; `SmtpSink(tls=tls)` offers STARTTLS,
`SmtpSink(tls=tls, implicit_tls=True)` speaks smtps; the client trusts `tls.client_context`.
AUTH: `SmtpSink(users={"clinic": "s3cret"})`.

Scripted and random faults (421, drops before and after DATA, slow replies, a broken STARTTLS)
live in tests/smtp_faults.py, a subclass that overrides the `_on_…` hooks below.
"""

from __future__ import annotations

import asyncio
import email
import email.message
import email.parser
import email.policy
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Self

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True, kw_only=True)
class Received:
    """One message as the server got it: the envelope and the exact bytes of the data."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    mail_options: tuple[str, ...] = ()

    @property
    def message_id(self) -> str:
        """The Message-ID header (only the headers parsed): a retried delivery carries the same
        one."""
        return message_id(self.data)

    @property
    def message(self) -> email.message.EmailMessage:
        """The data parsed, with `\\n` line ends (as Python writes them) for easy comparison."""
        text = self.data.replace(b"\r\n", b"\n")
        parsed = email.message_from_bytes(text, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


def message_id(data: bytes) -> str:
    """The Message-ID of a message's raw bytes."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
    return str(headers["Message-ID"])


@dataclass(frozen=True, kw_only=True)
class SelfSignedTls:
    """A test certificate authority (trustme), a certificate it issued for 127.0.0.1, and the
    SSL contexts of both ends: the client trusts that authority and nothing else."""

    server_context: ssl.SSLContext
    client_context: ssl.SSLContext

    @classmethod
    def create(cls) -> SelfSignedTls:
        authority = trustme.CA()
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert(HOST, "localhost").configure_cert(server)
        client = ssl.create_default_context()
        client.load_verify_locations(cadata=authority.cert_pem.bytes().decode())
        return cls(server_context=server, client_context=client)


@dataclass(frozen=True)
class _Failure:
    at: str
    reply: str


class SmtpSink:
    """An aiosmtpd server in a thread; see the module docstring."""

    def __init__(
        self,
        *,
        tls: SelfSignedTls | None = None,
        implicit_tls: bool = False,
        users: dict[str, str] | None = None,
        port: int = 0,
    ) -> None:
        self.fixed_port = port  # 0: a free port chosen by the OS
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.users = dict(users or {})
        self._lock = threading.Condition()
        self._messages: list[Received] = []
        self._connections = 0
        self._open: set[_RecordingSMTP] = set()
        self._failures: list[_Failure] = []
        self._sticky: _Failure | None = None
        self._controller: _Controller | None = None
        self._hold_at: int | None = None
        self._held = 0  # DATA commands waiting for release()
        self._released: asyncio.Event | None = None

    # --- life cycle ---------------------------------------------------------------------
    def start(self) -> Self:
        kwargs: dict[str, Any] = {"server_hostname": "sink.test", "ready_timeout": 10.0}
        if self.tls is not None and not self.implicit_tls:
            kwargs["tls_context"] = self.tls.server_context
        if self.tls is not None and self.implicit_tls:
            kwargs["ssl_context"] = self.tls.server_context
        if self.users:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = self.tls is not None
        self._controller = _Controller(
            self, _Handler(self), hostname=HOST, port=self.fixed_port, **kwargs
        )
        self._controller.start()
        with self._lock:
            self._connections = 0  # the controller's own start-up probe does not count
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what a test looks at --------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._controller is not None, "start() the sink first"
        return int(self._controller.port)

    @property
    def url(self) -> str:
        """`smtp://127.0.0.1:PORT` (smtps:// when implicit TLS); add credentials yourself."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{HOST}:{self.port}"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until at least `count` messages arrived; AssertionError after `timeout`."""
        with self._lock:
            arrived = self._lock.wait_for(lambda: len(self._messages) >= count, timeout)
            assert arrived, f"expected {count} messages, got {len(self._messages)}"
            return list(self._messages)

    def wait_all_closed(self, timeout: float = 10.0) -> None:
        """Block until every client connection is closed; AssertionError after `timeout`."""
        with self._lock:
            closed = self._lock.wait_for(lambda: not self._open, timeout)
            assert closed, f"{len(self._open)} connection(s) still open"

    # --- misbehaviour ----------------------------------------------------------------------
    def fail_with(self, code: int, text: str, *, at: str = "rcpt", times: int | None = 1) -> None:
        """Answer the next `times` MAIL/RCPT/DATA (`at`) with `code text`; None: until `clear`."""
        assert at in ("mail", "rcpt", "data"), at
        failure = _Failure(at=at, reply=f"{code} {text}")
        with self._lock:
            if times is None:
                self._sticky = failure
            else:
                self._failures.extend([failure] * times)

    def clear(self) -> None:
        """Stop failing."""
        with self._lock:
            self._failures.clear()
            self._sticky = None

    def hold_after(self, count: int) -> None:
        """Once `count` messages arrived, each further DATA waits, unanswered, for `release`:
        the client is then in the middle of a send, for as long as the test likes."""
        assert self._controller is not None, "start() the sink first"
        with self._lock:
            self._hold_at = count
            self._released = asyncio.Event()

    def wait_held(self, timeout: float = 10.0) -> None:
        """Block until a client waits for the reply to a held DATA."""
        with self._lock:
            held = self._lock.wait_for(lambda: self._held > 0, timeout)
            assert held, f"no DATA held after {timeout}s ({len(self._messages)} messages)"

    @property
    def held(self) -> int:
        """How many clients wait for the reply to a held DATA now."""
        with self._lock:
            return self._held

    def release(self) -> None:
        """Answer the held DATA commands, and stop holding."""
        assert self._controller is not None
        with self._lock:
            self._hold_at, released = None, self._released
        if released is not None:
            self._controller.loop.call_soon_threadsafe(released.set)

    def drop_connections(self) -> None:
        """Close every open client connection from the server side, and wait until closed."""
        assert self._controller is not None
        loop = self._controller.loop
        asyncio.run_coroutine_threadsafe(self._drop_all(), loop).result(timeout=10)

    # --- hooks for a subclass (tests/smtp_faults.py); each runs in the server's event loop ---
    async def _on_command(self, stage: str, server: _RecordingSMTP, envelope: Any) -> str | None:
        """The reply to MAIL, RCPT or the end of DATA (`stage` "mail", "rcpt", "data") instead
        of the usual one, or None for the usual one."""
        return self._failure(stage)

    async def _on_data_command(self, server: _RecordingSMTP) -> bool:
        """Before the 354 to a DATA command: False when the hook answered it itself."""
        return True

    async def _on_accepted(self, server: _RecordingSMTP, received: Received) -> str:
        """The reply once a message is recorded (the server has it)."""
        return "250 2.0.0 Queued"

    async def _on_starttls(self, server: _RecordingSMTP) -> bool:
        """Before the 220 to STARTTLS: False when the hook answered it itself."""
        return True

    # --- internals -------------------------------------------------------------------------
    async def _drop_all(self) -> None:
        with self._lock:
            servers = list(self._open)
        for server in servers:
            server.closed.clear()
            if server.transport is not None:
                server.transport.close()
        for server in servers:
            await asyncio.wait_for(server.closed.wait(), 10)

    def _failure(self, at: str) -> str | None:
        with self._lock:
            if self._failures and self._failures[0].at == at:
                return self._failures.pop(0).reply
            if self._sticky is not None and self._sticky.at == at:
                return self._sticky.reply
            return None

    async def _hold(self) -> None:
        with self._lock:
            hold = self._hold_at is not None and len(self._messages) >= self._hold_at
            released = self._released
            if hold:
                self._held += 1
                self._lock.notify_all()
        if hold and released is not None:
            await released.wait()
            with self._lock:
                self._held -= 1

    def _record(self, received: Received) -> None:
        with self._lock:
            self._messages.append(received)
            self._lock.notify_all()

    def _opened(self, server: _RecordingSMTP) -> None:
        with self._lock:
            self._connections += 1
            self._open.add(server)

    def _closed(self, server: _RecordingSMTP) -> None:
        with self._lock:
            self._open.discard(server)
            self._lock.notify_all()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.users.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=ok, handled=False)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        failure = await self.sink._on_command("mail", server, envelope)
        if failure:
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        failure = await self.sink._on_command("rcpt", server, envelope)
        if failure:
            return failure
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self.sink._hold()
        failure = await self.sink._on_command("data", server, envelope)
        if failure:
            return failure
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content),
            mail_options=tuple(envelope.mail_options),
        )
        self.sink._record(received)
        return await self.sink._on_accepted(server, received)


class _RecordingSMTP(SMTP):
    def __init__(self, sink: SmtpSink, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sink = sink
        self.closed = asyncio.Event()

    def connection_made(self, transport: Any) -> None:
        # called again after STARTTLS on the same connection: count the TCP connection once
        first = self._original_transport is None
        super().connection_made(transport)
        if first:
            self.sink._opened(self)

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self.sink._closed(self)
        self.closed.set()

    async def smtp_DATA(self, arg: str) -> None:
        if await self.sink._on_data_command(self):
            await super().smtp_DATA(arg)

    async def smtp_STARTTLS(self, arg: str) -> None:
        if await self.sink._on_starttls(self):
            await super().smtp_STARTTLS(arg)


class _Controller(Controller):
    def __init__(self, sink: SmtpSink, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sink = sink

    def factory(self) -> _RecordingSMTP:
        return _RecordingSMTP(self.sink, self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # port 0 asks the OS for a free port; learn which before the start-up probe connects
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
