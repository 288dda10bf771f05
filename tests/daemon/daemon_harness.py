"""`drip run` as a real subprocess, and what the daemon tests read back.

    daemon = Daemon.start(env, tmp_path / "run-1.log", cwd=tmp_path)
    daemon.wait_for_record(lambda r: r["message"].startswith("batch:"))
    daemon.stop()                       # SIGTERM, then the exit code

The daemon's stdout and stderr go to one file, read as it grows: every line must be a JSON
object (DRIP_LOG_FORMAT=json). Waiting is bounded polling for a state of the subprocess (a log
line, rows in the database), never a sleep for time to pass.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import always_open
import db_rows
import smtp_sink
from drip import clock, config, planning, store
from drip.service import app as app_module
from drip.service import subscriptions
from drip.store import models

REPO = Path(__file__).resolve().parents[2]
SEQUENCES, TEMPLATES = always_open.SEQUENCES, always_open.TEMPLATES
# Not the `drip` script: on some machines that is a shim that execs a different interpreter.
# The console script's own entry point (pyproject's [project.scripts]): it hears SIGTERM first.
ENTRY = "from drip._entry import main; main()"
COMMAND = (sys.executable, "-c", ENTRY, "run")
POLL = 0.05
TIMEZONE = "America/Chicago"

Record = dict[str, Any]


always_open_sequences = always_open.sequences_in


def environment(database_url: str, smtp_url: str, **settings: object) -> dict[str, str]:
    """The process environment without any DRIP_* of the caller, plus the test's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIP_")}
    directory = Path(tempfile.mkdtemp(prefix="drip-daemon-"))
    env.update(
        DRIP_DATABASE_URL=database_url,
        DRIP_SMTP_URL=smtp_url,
        DRIP_SEQUENCES=str(always_open_sequences(directory)),
        DRIP_TEMPLATES=str(TEMPLATES),
        DRIP_SECRET_KEY="daemon-test-secret-key-0123456789abcdef",
        DRIP_SUPPRESSION_KEY=db_rows.SUPPRESSION_KEY,
        DRIP_TICK_INTERVAL="0.2",
        DRIP_SEND_RATE="1000",
        DRIP_LOG_FORMAT="json",
    )
    env.update({f"DRIP_{name.upper()}": str(value) for name, value in settings.items()})
    return env


def poll(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Call `condition` until it returns something truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL)


@dataclass
class Daemon:
    proc: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(
        cls, env: dict[str, str], log_path: Path, *, cwd: Path, args: tuple[str, ...] = ()
    ) -> Daemon:
        """`drip run ARGS…` with `env`, its output in `log_path`."""
        with log_path.open("wb") as log:
            proc = subprocess.Popen((*COMMAND, *args), env=env, cwd=cwd, stdout=log, stderr=log)
        return cls(proc=proc, log_path=log_path)

    def lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines()

    def records(self) -> list[Record]:
        """Every line parsed; a line that is not a JSON object fails the test."""
        records = []
        for line in self.lines():
            try:
                record = json.loads(line)
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            assert isinstance(record, dict), line
            records.append(record)
        return records

    def batches(self) -> list[Record]:
        return [r for r in self.records() if r["message"].startswith("batch:")]

    def wait_for_record(
        self, predicate: Callable[[Record], bool], *, timeout: float = 20.0, what: str = ""
    ) -> Record:
        def found() -> Record | None:
            match = next((r for r in self._complete_records() if predicate(r)), None)
            if match is None and self.proc.poll() is not None:
                raise AssertionError(
                    f"drip run exited ({self.proc.returncode}) before logging {what}:\n"
                    + self.tail()
                )
            return match

        try:
            result: Record = poll(found, timeout=timeout, what=what or "a log line")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tail()}") from None
        return result

    def wait_alive_for(self, condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
        """Poll `condition`, failing at once (with the log) if the daemon exits meanwhile."""

        def check() -> Any:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"drip run exited ({self.proc.returncode}) while waiting for {what}:\n"
                    + self.tail()
                )
            return condition()

        return poll(check, timeout=timeout, what=what)

    def signal(self, signum: int) -> float:
        """Send `signum`; returns the monotonic time it was sent."""
        self.proc.send_signal(signum)
        return time.monotonic()

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"drip run still running {timeout}s after the signal:\n{self.tail()}"
            ) from None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait for the exit code."""
        self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def tail(self, n: int = 15) -> str:
        return "\n".join(self.lines()[-n:])

    def _complete_records(self) -> Iterable[Record]:
        # the file may end in a half-written line: parse only whole lines
        text = self.log_path.read_text(encoding="utf-8")
        for line in text.splitlines(keepends=True):
            if line.endswith("\n") and line.strip():
                yield json.loads(line)


# --- the mail server -----------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((smtp_sink.HOST, 0))
        return int(probe.getsockname()[1])


# --- preparing the database --------------------------------------------------------------


def recent_enrollment(cfg: config.Config) -> datetime:
    """A moment shortly before now such that a step due right after it is due already.

    Subscribing "now" would make the welcome due at the next send-window opening, maybe
    tomorrow; subscribing a week ago would make it a week late. This is the latest moment,
    a whole number of hours ago, whose window opening has passed.
    """
    plan, _ = app_module.load_plan(cfg)
    tz = zoneinfo.ZoneInfo(TIMEZONE)
    now = clock.utcnow()
    for hours in range(1, 24 * 8):
        moment = now - timedelta(hours=hours)
        if planning.into_window(moment, tz=tz, window=plan.window) <= now - timedelta(minutes=1):
            return moment
    raise AssertionError("the send window of sequences.yaml never opens")


def subscribe_due(cfg: config.Config, count: int) -> list[str]:
    """`count` confirmed patients, causes in turn, whose welcome email is due now: emails."""
    app = app_module.open_app(cfg)
    at = recent_enrollment(cfg)
    slugs = [cause.slug for cause in app.plan.causes]
    emails = [f"patient{n:03d}@example.org" for n in range(count)]
    try:
        for n, email in enumerate(emails):
            subscriptions.subscribe(
                app,
                email=email,
                first_name=f"Pat{n}",
                cause=slugs[n % len(slugs)],
                timezone=TIMEZONE,
                consent=subscriptions.Consent(source="test", text="daemon tests"),
                confirmed=True,
                now=at,
            )
    finally:
        app.store.dispose()
    return emails


@dataclass(frozen=True, kw_only=True)
class Delivery:
    id: int
    sequence: str
    step_id: str
    state: store.DeliveryState
    attempts: int
    last_error: str | None
    message_id: str | None
    lease_owner: str | None
    due_at: datetime


def welcomes(db: store.Store) -> list[Delivery]:
    """The first step of every enrollment (the emails the tests make due)."""
    d = models.DeliveryRow
    query = (
        sa.select(
            d.id,
            d.sequence,
            d.step_id,
            d.state,
            d.attempts,
            d.last_error,
            d.message_id,
            d.lease_owner,
            d.due_at,
        )
        .where(d.step_id == "welcome", d.sequence != store.CONFIRM_SEQUENCE)
        .order_by(d.id)
    )
    with db.engine.connect() as conn:
        return [Delivery(**row) for row in conn.execute(query).mappings()]


def make_due(db: store.Store, *, step_id: str = "welcome") -> int:
    """What the passing of time would do, without waiting for it: the pending deliveries of
    `step_id` become due (a retry's backoff has passed). Returns how many."""
    d = models.DeliveryRow
    with db.engine.begin() as conn:
        changed = conn.execute(
            sa.update(d)
            .where(d.state == store.DeliveryState.PENDING, d.step_id == step_id)
            .values(due_at=clock.utcnow() - timedelta(seconds=1))
            .returning(d.id)
        )
        return len(changed.all())


def expire_leases(db: store.Store) -> int:
    """What the passing of time would do to a dead worker's claims: every lease expires."""
    d = models.DeliveryRow
    with db.engine.begin() as conn:
        changed = conn.execute(
            sa.update(d)
            .where(d.state == store.DeliveryState.SENDING)
            .values(lease_expires_at=clock.utcnow() - timedelta(seconds=1))
            .returning(d.id)
        )
        return len(changed.all())
