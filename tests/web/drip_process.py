"""The real commands, as ops run them: `drip serve` on a loopback port and `drip tick`, each a
subprocess of its own, against one database, sending to the SMTP sink on loopback.

    with Served(env, port, log) as web:      # waits until GET /healthz answers 200
        httpx.get(web.url + "/")
    tick(env)                                # one `drip tick`; its summary line

The test reads the database with a store of its own, as a third process would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from site_harness import site_env
from web_server import free_port

import db_rows
from drip import config, store
from drip.service import operations
from smtp_sink import Received, SmtpSink

# Not the `drip` script: on some machines that is a shim that execs a different interpreter.
COMMAND = (sys.executable, "-c", "from drip.cli import main; main()")


def environment(settings: dict[str, str]) -> dict[str, str]:
    """The process environment without any DRIP_* of the caller, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIP_")}
    return {**env, **settings}


def tick(env: dict[str, str], at: datetime | None = None) -> str:
    """One `drip tick` (at `at`: `--now`), to its end; its summary line."""
    when = ("--now", at.isoformat()) if at else ()
    done = subprocess.run(
        (*COMMAND, "tick", *when), env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


class Served:
    """`drip serve --host 127.0.0.1 --port PORT`, its output in `log`; stopped by SIGTERM."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        with self.log.open("ab") as out:
            args = ("serve", "--host", "127.0.0.1", "--port", str(self.port))
            self.proc = subprocess.Popen((*COMMAND, *args), env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, f"drip serve died: {self.tail()}"
            assert time.monotonic() < deadline, f"drip serve did not answer: {self.tail()}"
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


@dataclass
class ServedSite:
    """`drip serve` in a subprocess, `drip tick` in another per pass, the sink, the database."""

    env: dict[str, str]
    cfg: config.Config
    web: Served
    db: store.Store
    sink: SmtpSink

    @property
    def url(self) -> str:
        return self.web.url

    def tick(self, at: datetime | None = None) -> str:
        return tick(self.env, at)

    def subscriber(self, email: str = "ana@example.com") -> store.Subscriber | None:
        return self.db.subscriber_by_email(email)

    def mails_to(self, email: str) -> list[Received]:
        return [m for m in self.sink.messages if email in m.rcpt_tos]


@contextmanager
def served_site(
    database_url: str, sink: SmtpSink, folder: Path, *, port: int | None = None
) -> Iterator[ServedSite]:
    """A migrated database, `drip serve` on it (the web tests' settings), a store to read it."""
    port = port or free_port()
    env = environment(site_env(database_url, sink, folder, port))
    cfg = config.load(env)
    operations.upgrade_database(cfg)
    db = store.Store(database_url, suppression_key=db_rows.SUPPRESSION_KEY)
    try:
        with Served(env, port, folder / f"serve-{port}.log") as web:
            yield ServedSite(env=env, cfg=cfg, web=web, db=db, sink=sink)
    finally:
        db.dispose()
