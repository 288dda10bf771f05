"""A real SMTP server on loopback that misbehaves as a test scripts, or at random (seeded).

    with FaultySmtp() as server:                     # tests/smtp_sink.py's SmtpSink, and more
        server.script(Fault.reply(451, "4.3.0 Later", at=Stage.RCPT), None)  # then a clean one
        server.randomly(seed=7, temporary=0.30, dropped=0.05)  # once the script is used up
        server.break_tls()                           # the next STARTTLS handshake fails
        server.messages                              # every message the server kept: raw bytes
        server.injected                              # every fault it injected, in order

A fault applies to one SMTP transaction (from MAIL FROM to the reply after the message), and
is decided when its MAIL FROM arrives: the script's next entry (None: a clean transaction),
else a draw of the random plan, else nothing. It strikes at one stage:

    MAIL, RCPT   the reply to that command
    DATA         the reply to the DATA command itself: nothing of the message was sent yet
    MESSAGE      the reply after the message's final dot: the server has the whole message

and is one of: a reply (`451`, `452`, `550 5.1.1`, `554 5.7.1`, …; a `421` hangs up after
it, as RFC 5321 says a server closing the channel does), a drop (hang up without a reply), or
a delay before the usual reply. A drop or a delay past the client's timeout at MESSAGE is the
window no SMTP client can close: the server kept the message (it is in `messages`) but the
client never saw the reply, so it sends it again later. `Injected.ambiguous` marks those, with
the Message-ID, so a test can tell each duplicate it receives from a bug.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from smtp_sink import Received, SmtpSink, _RecordingSMTP, message_id

# A TLS alert record: fatal (2), handshake_failure (40). What a server that cannot agree on
# anything sends instead of its ServerHello.
_HANDSHAKE_FAILURE = bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])


class Stage(StrEnum):
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"  # the DATA command, before 354
    MESSAGE = "message"  # after the message's final dot, before the reply
    STARTTLS = "starttls"  # only for `break_tls`


class Kind(StrEnum):
    REPLY = "reply"  # `code text` instead of the usual reply (421: then hang up)
    DROP = "drop"  # hang up without a reply
    DELAY = "delay"  # wait `seconds`, then the usual reply
    BREAK_TLS = "break_tls"  # 220 to STARTTLS, then a TLS alert instead of a handshake


@dataclass(frozen=True)
class Fault:
    kind: Kind
    at: Stage
    code: int = 0
    text: str = ""
    seconds: float = 0.0

    @classmethod
    def reply(cls, code: int, text: str, *, at: Stage) -> Fault:
        return cls(Kind.REPLY, at, code=code, text=text)

    @classmethod
    def drop(cls, *, at: Stage) -> Fault:
        return cls(Kind.DROP, at)

    @classmethod
    def delay(cls, seconds: float, *, at: Stage) -> Fault:
        return cls(Kind.DELAY, at, seconds=seconds)

    @property
    def hangs_up(self) -> bool:
        return self.kind is Kind.DROP or (self.kind is Kind.REPLY and self.code == 421)

    def __str__(self) -> str:
        what = {
            Kind.REPLY: f"{self.code} {self.text}",
            Kind.DROP: "hang up",
            Kind.DELAY: f"wait {self.seconds:g}s",
            Kind.BREAK_TLS: "break the TLS handshake",
        }[self.kind]
        return f"{what} at {self.at.value}"


CLOSING = "4.3.2 Service shutting down, closing transmission channel"

# The random plan's temporary failures and drops, drawn uniformly within each group.
TEMPORARY: tuple[Fault, ...] = (
    Fault.reply(421, CLOSING, at=Stage.MAIL),
    Fault.reply(421, CLOSING, at=Stage.RCPT),
    Fault.reply(451, "4.3.0 Local error in processing, try later", at=Stage.MAIL),
    Fault.reply(451, "4.7.1 Greylisted, try again in a minute", at=Stage.RCPT),
    Fault.reply(452, "4.2.2 Mailbox full, try later", at=Stage.RCPT),
    Fault.reply(451, "4.3.0 Queue busy, try later", at=Stage.DATA),
    Fault.reply(452, "4.3.1 Insufficient system storage", at=Stage.MESSAGE),
    Fault.reply(421, CLOSING, at=Stage.MESSAGE),
)
DROPPED: tuple[Fault, ...] = tuple(
    Fault.drop(at=stage) for stage in (Stage.MAIL, Stage.RCPT, Stage.DATA, Stage.MESSAGE)
)


@dataclass(frozen=True, kw_only=True)
class Injected:
    """One fault as the server injected it."""

    fault: Fault
    transaction: int  # 1 for the server's first MAIL FROM, 2 for the next, …
    connection: int  # 1 for the first TCP connection, …
    rcpt_tos: tuple[str, ...] = ()
    message_id: str | None = None  # once the message had arrived (MESSAGE)
    ambiguous: bool = False  # the server kept the message, the client never saw the reply


@dataclass
class _Random:
    rng: random.Random
    temporary: float
    dropped: float

    def draw(self) -> Fault | None:
        roll = self.rng.random()
        if roll < self.temporary:
            return self.rng.choice(TEMPORARY)
        if roll < self.temporary + self.dropped:
            return self.rng.choice(DROPPED)
        return None


@dataclass
class _Session:
    connection: int
    transaction: int = 0
    fault: Fault | None = None


class FaultySmtp(SmtpSink):
    """SmtpSink with scripted or random faults; see the module docstring."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._script: list[Fault | None] = []
        self._random: _Random | None = None
        self._tls_breaks = 0
        self._transactions = 0
        self._injected: list[Injected] = []
        self._sessions: dict[_RecordingSMTP, _Session] = {}

    # --- what a test asks for -----------------------------------------------------------------
    def script(self, *faults: Fault | None) -> None:
        """The next transactions' faults, one each, in order; None for a clean one."""
        with self._lock:
            self._script.extend(faults)

    def randomly(self, *, seed: int, temporary: float, dropped: float) -> None:
        """Once the script is used up, each transaction gets a temporary failure (TEMPORARY)
        with probability `temporary`, else a drop (DROPPED) with probability `dropped`."""
        with self._lock:
            self._random = _Random(random.Random(seed), temporary, dropped)

    def break_tls(self, times: int = 1) -> None:
        """The next `times` STARTTLS commands get 220, then a TLS alert and a hang-up."""
        with self._lock:
            self._tls_breaks += times

    def calm(self) -> None:
        """No more faults: the script emptied, the random plan and TLS breaks off."""
        with self._lock:
            self._script.clear()
            self._random = None
            self._tls_breaks = 0

    @property
    def injected(self) -> list[Injected]:
        with self._lock:
            return list(self._injected)

    @property
    def ambiguous(self) -> list[Injected]:
        """The faults after which the server kept a message whose reply the client never saw."""
        return [i for i in self.injected if i.ambiguous]

    @property
    def transactions(self) -> int:
        """MAIL FROM commands received so far."""
        with self._lock:
            return self._transactions

    # --- the hooks of SmtpSink -----------------------------------------------------------------
    def _opened(self, server: _RecordingSMTP) -> None:
        super()._opened(server)
        with self._lock:
            self._sessions[server] = _Session(connection=self._connections)

    def _closed(self, server: _RecordingSMTP) -> None:
        with self._lock:
            self._sessions.pop(server, None)
        super()._closed(server)

    async def _on_command(self, stage: str, server: _RecordingSMTP, envelope: Any) -> str | None:
        if stage == "mail":
            self._begin(server)
        if stage != "data":
            return await self._strike(Stage(stage), server, envelope)
        # SmtpSink's "data" is the end of DATA: the message has arrived, not yet recorded. A
        # refusal strikes here (the server does not keep it); a drop or a delay once it is
        # recorded, in _on_accepted.
        fault = self._fault(server, Stage.MESSAGE)
        if fault is None or fault.kind is not Kind.REPLY:
            return self._failure("data")
        mid = message_id(bytes(envelope.original_content))
        self._note(self._injected_at(server, fault, tuple(envelope.rcpt_tos), mid))
        return await self._replied(server, fault)

    async def _on_data_command(self, server: _RecordingSMTP) -> bool:
        reply = await self._strike(Stage.DATA, server, server.envelope)
        if reply is None:
            return True
        await server.push(reply)
        return False

    async def _on_accepted(self, server: _RecordingSMTP, received: Received) -> str:
        fault = self._fault(server, Stage.MESSAGE)
        if fault is None:
            return await super()._on_accepted(server, received)
        assert fault.kind in (Kind.DROP, Kind.DELAY), fault  # a refusal struck before
        injected = self._injected_at(server, fault, received.rcpt_tos, received.message_id)
        if fault.kind is Kind.DELAY:
            try:
                await asyncio.sleep(fault.seconds)
            except asyncio.CancelledError:  # the client gave up waiting and hung up
                self._note(replace(injected, ambiguous=True))
                raise
            self._note(injected)
            return await super()._on_accepted(server, received)
        self._note(replace(injected, ambiguous=True))
        await _hang_up(server)
        raise AssertionError("unreachable")

    async def _on_starttls(self, server: _RecordingSMTP) -> bool:
        with self._lock:
            breaking = self._tls_breaks > 0
            self._tls_breaks -= breaking
        if not breaking:
            return True
        self._note(self._injected_at(server, Fault(Kind.BREAK_TLS, Stage.STARTTLS), (), None))
        await server.push("220 Ready to start TLS")
        assert isinstance(server.transport, asyncio.WriteTransport)
        server.transport.write(_HANDSHAKE_FAILURE)
        await _hang_up(server)
        return False

    # --- internals ---------------------------------------------------------------------------
    def _begin(self, server: _RecordingSMTP) -> None:
        """A new transaction: decide its fault."""
        with self._lock:
            self._transactions += 1
            session = self._sessions[server]
            session.transaction = self._transactions
            if self._script:
                session.fault = self._script.pop(0)
            else:
                session.fault = self._random.draw() if self._random else None

    def _fault(self, server: _RecordingSMTP, stage: Stage) -> Fault | None:
        with self._lock:
            session = self._sessions.get(server)
            fault = session.fault if session else None
            return fault if fault is not None and fault.at is stage else None

    async def _strike(self, stage: Stage, server: _RecordingSMTP, envelope: Any) -> str | None:
        """The fault of this transaction at `stage`, applied: the reply to give instead of the
        usual one, or None (no fault here, or a delay, after which the usual reply follows)."""
        fault = self._fault(server, stage)
        if fault is None:  # SmtpSink.fail_with still works (its "data" is the end of DATA)
            return self._failure(stage.value) if stage in (Stage.MAIL, Stage.RCPT) else None
        self._note(self._injected_at(server, fault, tuple(envelope.rcpt_tos), None))
        if fault.kind is Kind.DELAY:
            await asyncio.sleep(fault.seconds)
            return None
        if fault.kind is Kind.DROP:
            await _hang_up(server)
        return await self._replied(server, fault)

    async def _replied(self, server: _RecordingSMTP, fault: Fault) -> str:
        reply = f"{fault.code} {fault.text}"
        if fault.code == 421:  # "closing transmission channel": say it, then hang up
            await server.push(reply)
            await _hang_up(server)
        return reply

    def _injected_at(
        self, server: _RecordingSMTP, fault: Fault, rcpt_tos: tuple[str, ...], mid: str | None
    ) -> Injected:
        with self._lock:
            session = self._sessions.get(server) or _Session(connection=0)
            return Injected(
                fault=fault,
                transaction=session.transaction,
                connection=session.connection,
                rcpt_tos=rcpt_tos,
                message_id=mid,
            )

    def _note(self, injected: Injected) -> None:
        with self._lock:
            self._injected.append(injected)
            self._lock.notify_all()


async def _hang_up(server: _RecordingSMTP) -> None:
    """Close the connection without a word more, and never return: closing it cancels the
    session's task, this coroutine with it."""
    assert server.transport is not None
    server.transport.close()
    await asyncio.get_running_loop().create_future()
