"""tests/smtp_sink.py's SmtpSink with what a crash test needs on top: who sent each message,
and a SIGKILL fired by the server itself right after it answered 250.

    sink = CrashSink().start()
    sink.generation = 3                  # the messages accepted from now on were sent by run 3
    sink.kill_after(120, pid)            # once 120 messages are in, 250, then SIGKILL `pid`
    sink.accepted                        # [(generation, Received)], in order of acceptance
    sink.on_accept = f                   # f(n) when the n-th message is in, before its 250
    sink.after_reply = g                 # g(n) on the loop's turn after that 250

The kill comes from the server's own event loop, on the loop turn after the 250 was written to
the socket: the worker dies with the reply in hand (or in flight), before or while it records
it. That is the moment a test cannot reach from outside by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable

from smtp_sink import Received, SmtpSink


class CrashSink(SmtpSink):
    def __init__(self) -> None:
        super().__init__()
        self.generation = 0
        self._stamped: list[tuple[int, Received]] = []
        self._kill_at: tuple[int, int] | None = None  # (message count, pid)
        self._killed = threading.Event()
        self.on_accept: Callable[[int], None] | None = None
        self.after_reply: Callable[[int], None] | None = None

    @property
    def accepted(self) -> list[tuple[int, Received]]:
        with self._lock:
            return list(self._stamped)

    def kill_after(self, count: int, pid: int) -> None:
        """Once `count` messages were accepted in all, SIGKILL `pid` right after the 250."""
        with self._lock:
            self._kill_at = (count, pid)
            self._killed.clear()
            if len(self._messages) >= count:  # already there: kill now
                self._kill_at = None
                self._fire(pid)

    def disarm(self) -> None:
        with self._lock:
            self._kill_at = None

    @property
    def killed(self) -> bool:
        """Whether the armed kill has fired."""
        return self._killed.is_set()

    async def _hold(self) -> None:
        """SmtpSink's hold, counted right when the client dies while held: the server drops
        the DATA of a connection that is lost (aiosmtpd cancels its handler)."""
        try:
            await super()._hold()
        except asyncio.CancelledError:
            with self._lock:
                self._held -= 1  # the only await in the hold is the wait for release()
            raise

    def _record(self, received: Received) -> None:
        super()._record(received)
        with self._lock:
            self._stamped.append((self.generation, received))
            count = len(self._messages)
            armed = self._kill_at
            if armed is not None and count >= armed[0]:
                self._kill_at = None
            else:
                armed = None
        if self.on_accept is not None:
            self.on_accept(count)
        # the 250 is written when this handler returns: what follows it, on the loop's next turn
        loop = asyncio.get_running_loop()
        if self.after_reply is not None:
            loop.call_soon(self.after_reply, count)
        if armed is not None:
            loop.call_soon(self._fire, armed[1])

    def _fire(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # it died on its own meanwhile
            os.kill(pid, signal.SIGKILL)
        self._killed.set()
