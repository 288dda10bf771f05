"""Database trouble while `drip run` sends: its PostgreSQL connections terminated again and
again (also between the server's acceptance of a message and its record), and a SQLite file
locked by another process for longer than the busy timeout. The daemon says so in a line, not a
traceback per attempt, asks again, and carries on: nothing lost, nothing sent twice."""

from __future__ import annotations

import collections
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from crash_run import message_id
from crash_sink import CrashSink
from daemon_harness import Daemon, subscribe_due, welcomes

from drip import clock, config
from drip import store as drip_store

pytestmark = pytest.mark.slow
DS = drip_store.DeliveryState
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
RECORDING_AGAIN = "the database is away"


@pytest.fixture
def crash_sink() -> Iterator[CrashSink]:
    sink = CrashSink()
    with sink:
        yield sink


def assert_each_sent_once(db: drip_store.Store, sink: CrashSink, emails: list[str]) -> None:
    rows = welcomes(db)
    assert {row.state for row in rows} == {DS.SENT}
    ids = collections.Counter(message_id(m) for m in sink.messages)
    assert max(ids.values()) == 1, [mid for mid, n in ids.items() if n > 1]
    assert set(ids) == {row.message_id for row in rows}
    assert sorted(r for m in sink.messages for r in m.rcpt_tos) == emails
    assert db.status(now=clock.utcnow()).deliveries[DS.SENDING] == 0


def no_tracebacks(daemon: Daemon) -> None:
    records = daemon.records()  # every line a JSON object: nothing printed raw
    assert not [r for r in records if "Traceback" in str(r)], daemon.tail()


@POSTGRES_ONLY
def test_connections_terminated_while_sending_lose_and_duplicate_nothing(
    db, database_url: str, crash_sink: CrashSink, env_for, start_daemon
) -> None:
    count = 100
    # The daemon's connections carry a name of their own: only they are terminated (other
    # tests may share the server).
    name = f"drip-victim-{uuid.uuid4().hex[:8]}"
    victim_url = f"{database_url}&application_name={name}"
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    terminated: list[int] = []

    def terminate(_count: int = 0) -> None:
        with admin.begin() as conn:
            killed = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).all()
        terminated.append(len(killed))

    # Before a 250 every 20 messages: the worker's first write after it (mark_sent) finds its
    # connection dead. After a 250 every 35: the cut lands wherever the worker is.
    crash_sink.on_accept = lambda n: terminate() if n % 20 == 0 else None
    crash_sink.after_reply = lambda n: terminate() if n % 35 == 0 else None

    env = env_for(f"{crash_sink.url}?timeout=1", lease_seconds=5, batch_size=40)
    env["DRIP_DATABASE_URL"] = victim_url
    emails = subscribe_due(config.load(env_for(crash_sink.url)), count)
    run = start_daemon(env)
    run.wait_alive_for(
        lambda: all(row.state is DS.SENT for row in welcomes(db)),
        timeout=60,
        what="every welcome sent",
    )
    assert run.stop() == 0, run.tail()
    admin.dispose()

    assert sum(terminated) >= 4, f"connections terminated: {terminated}"
    assert_each_sent_once(db, crash_sink, emails)
    no_tracebacks(run)
    # the record after an acceptance was asked again, not given up (that would send it twice)
    again = [r for r in run.records() if "recording again" in r["message"]]
    assert again, run.tail(40)
    assert all(r["level"] == "warning" for r in again)


@SQLITE_ONLY
def test_a_sqlite_file_locked_longer_than_the_busy_timeout_delays_and_loses_nothing(
    db, database_url: str, crash_sink: CrashSink, env_for, start_daemon, tmp_path: Path
) -> None:
    count = 60
    path = database_url.removeprefix("sqlite:///")
    # Another process takes the lock (BEGIN EXCLUSIVE) when told, and keeps it until its
    # stdin closes.
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def lock(n: int) -> None:
        if n == 20:  # before the 20th message's 250: its record waits for the lock
            assert locker.stdin is not None and locker.stdout is not None
            locker.stdin.write("lock\n")
            locker.stdin.flush()
            assert locker.stdout.readline() == "locked\n"

    crash_sink.on_accept = lock
    env = env_for(crash_sink.url, batch_size=100)  # the default lease: 300 s
    emails = subscribe_due(config.load(env), count)
    run = start_daemon(env)
    try:
        line = run.wait_for_record(
            lambda r: RECORDING_AGAIN in r["message"], timeout=30, what="the database-away line"
        )
    finally:
        assert locker.stdin is not None and locker.stdout is not None
        locker.stdin.close()  # the lock goes with the process
        locker.wait(10)
        locker.stdout.close()
    assert line["level"] == "warning", line
    run.wait_alive_for(
        lambda: all(row.state is DS.SENT for row in welcomes(db)),
        timeout=30,
        what="every welcome sent",
    )
    assert run.stop() == 0, run.tail()

    assert_each_sent_once(db, crash_sink, emails)
    no_tracebacks(run)
    away = [r for r in run.records() if RECORDING_AGAIN in r["message"]]
    assert len(away) == 1, [r["message"] for r in away]  # one line for one lock, not per try
    batches = run.batches()
    assert sum(b["sent"] for b in batches) == count and sum(b["lease_lost"] for b in batches) == 0


LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
sys.stdin.readline()
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""
