"""Fixtures for running `drip run` end to end: a migrated database, an SMTP sink, the daemon."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from daemon_harness import Daemon, environment

from drip import store as drip_store

StartDaemon = Callable[..., Daemon]


@pytest.fixture
def db(store: drip_store.Store) -> drip_store.Store:
    """The migrated database the daemon will use (tests/conftest.py's `store`)."""
    return store


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[StartDaemon]:
    """start_daemon(env, *args) → a running `drip run ARGS…`; whatever is still running at
    teardown is killed."""
    started: list[Daemon] = []

    def start(env: dict[str, str], *args: str) -> Daemon:
        log = tmp_path / f"run-{len(started) + 1}.log"
        daemon = Daemon.start(env, log, cwd=tmp_path, args=args)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


@pytest.fixture
def env_for(database_url: str) -> Callable[..., dict[str, str]]:
    """env_for(smtp_url, **settings) → the daemon's environment on this test's database."""

    def make(smtp_url: str, **settings: object) -> dict[str, str]:
        return environment(database_url, smtp_url, **settings)

    return make
