"""Fixtures for running `drip run` end to end: a migrated database, an SMTP sink, the daemon."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import smtp_sink
from daemon_harness import Daemon, environment
from smtp_sink import SmtpSink

from drip import config
from drip import store as drip_store

StartDaemon = Callable[..., Daemon]


@pytest.fixture
def db(database_url: str) -> Iterator[drip_store.Store]:
    """The migrated database the daemon will use, for preparing and inspecting it."""
    store = drip_store.Store(database_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[StartDaemon]:
    """start_daemon(env) → a running Daemon; whatever is still running at teardown is killed."""
    started: list[Daemon] = []

    def start(env: dict[str, str]) -> Daemon:
        daemon = Daemon.start(env, tmp_path / f"run-{len(started) + 1}.log", cwd=tmp_path)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


def cfg_for(env: dict[str, str]) -> config.Config:
    return config.load(env)


def free_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((smtp_sink.HOST, 0))
        return int(probe.getsockname()[1])


class SinkOnPort(SmtpSink):
    """An SmtpSink on a port chosen beforehand (SmtpSink always asks the OS for one), for a
    relay that comes back where it was. Mirrors SmtpSink.start for a plain server."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.fixed_port = port

    def start(self) -> SinkOnPort:
        self._controller = smtp_sink._Controller(
            self,
            smtp_sink._Handler(self),
            hostname=smtp_sink.HOST,
            port=self.fixed_port,
            server_hostname="sink.test",
            ready_timeout=10.0,
        )
        self._controller.start()
        with self._lock:
            self._connections = 0
        return self


@pytest.fixture
def env_for(database_url: str) -> Callable[..., dict[str, str]]:
    """env_for(smtp_url, **settings) → the daemon's environment on this test's database."""

    def make(smtp_url: str, **settings: object) -> dict[str, str]:
        return environment(database_url, smtp_url, **settings)

    return make
