"""The SMTP sinks every method of `python -m benchmarks` sends to, each in a process of its own.

`CountingSink` runs this file as a child process: an aiosmtpd server on loopback that counts
messages and bytes and keeps nothing (a run sends tens of thousands of 14.5 KB emails; the
tests' SmtpSink keeps every message). In the benchmark's own process its asyncio thread would
compete with the senders for the GIL. It prints its port, then answers `count` on stdin with
"messages bytes"; it stops at end of input.

`PostfixSink` is Postfix's C `smtp-sink` (Debian `postfix`), where the sender is the limit: it
prints a counter (`-c`) that a reader thread follows.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Protocol


class Sink(Protocol):
    """What a method needs: where to send, and how many messages arrived so far."""

    name: str
    host: str
    port: int

    def count(self) -> tuple[int, int]: ...

    def close(self) -> None: ...


class CountingSink:
    """This module run as a child process (see the module docstring)."""

    name = "aiosmtpd"
    host = "127.0.0.1"

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.port = int(self._proc.stdout.readline())

    def count(self) -> tuple[int, int]:
        """(messages, bytes) received since the sink started."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write("count\n")
        self._proc.stdin.flush()
        messages, size = self._proc.stdout.readline().split()
        return int(messages), int(size)

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)


class PostfixSink:
    """`smtp-sink -c 127.0.0.1:PORT 256`; bytes are not counted (reported as 0)."""

    name = "postfix"
    host = "127.0.0.1"

    def __init__(self, port: int) -> None:
        binary = postfix_binary()
        if binary is None:
            raise RuntimeError("Postfix's smtp-sink is not installed (apt-get install postfix)")
        self.port = port
        self._messages = 0
        self._proc = subprocess.Popen(
            [binary, "-c", "-u", "nobody", f"{self.host}:{port}", "256"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        threading.Thread(target=self._follow, daemon=True).start()
        _wait_listening(self.host, port)

    def _follow(self) -> None:
        assert self._proc.stdout is not None
        buffer = b""
        while chunk := os.read(self._proc.stdout.fileno(), 4096):
            buffer = (buffer + chunk)[-64:]
            numbers = re.findall(rb"\d+", buffer)
            if numbers:
                self._messages = int(numbers[-1])

    def count(self) -> tuple[int, int]:
        time.sleep(0.2)  # the counter is printed after the DATA reply
        return self._messages, 0

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


def postfix_binary() -> str | None:
    return shutil.which("smtp-sink") or next(
        (p for p in ("/usr/sbin/smtp-sink", "/usr/lib/postfix/smtp-sink") if Path(p).exists()),
        None,
    )


def free_port() -> int:
    """A port nothing listens on now (the OS's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(host: str, port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


def _serve() -> None:
    """The child process: count DATA commands and their bytes, answer on stdin."""
    from aiosmtpd.controller import Controller

    class Counter:
        messages = 0
        size = 0

        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            Counter.messages += 1
            Counter.size += len(getattr(envelope, "original_content", b"") or b"")
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        print(controller.port, flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(Counter.messages, Counter.size, flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    _serve()
