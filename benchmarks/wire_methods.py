"""The methods `python -m benchmarks` compares, each sending the same N emails to one sink.

A method is prepared (untimed: a database populated, messages prebuilt), then run (timed, wall
clock); the sink's count before and after must differ by exactly N, or the run fails.

- raw ceiling: smtplib, one connection, drip's prebuilt bytes; in this process.
- drip tick: `drip tick --now T0` as a subprocess, end to end (interpreter start-up, loading
  sequences.yaml and the article, connecting, the dispatch loop), over N due deliveries made
  beforehand by bench_tick.populated (SQLite: a copy of a file populated once; PostgreSQL: a new
  schema each time).
- naive loop: per email Jinja + MJML (mjml-python) + EmailMessage + a new SMTP connection.
- django-post-office: `send_queued_mail` in its own virtualenv (wire_dpo).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import smtplib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import harness
import jinja2
import mjml
import wire_dpo
from bench_tick import NAMES, T0, drip_env, populated
from wire_mail import FROM, NaiveTemplate, Outgoing
from wire_sink import Sink

NOW = T0.isoformat().replace("+00:00", "Z")


@dataclass(kw_only=True)
class Method:
    """One row of the comparison: `prepare` is untimed, `run` is timed."""

    key: str
    label: str
    prepare: Callable[[Sink], None] = lambda sink: None
    run: Callable[[Sink], None] = lambda sink: None
    cleanup: Callable[[], None] = lambda: None
    notes: list[str] = field(default_factory=list)


def raw_ceiling(messages: list[Outgoing]) -> Method:
    def run(sink: Sink) -> None:
        with smtplib.SMTP(sink.host, sink.port) as smtp:
            for m in messages:
                smtp.sendmail(m.sender, [m.recipient], m.data)

    return Method(
        key="raw", label="raw ceiling: smtplib, one connection, prebuilt messages", run=run
    )


def naive_loop(templates: list[NaiveTemplate], count: int) -> Method:
    """What a clinic's developer might write first: everything from scratch, per email."""
    env = jinja2.Environment(autoescape=False)

    def run(sink: Sink) -> None:
        for i in range(count):
            t = templates[i % len(templates)]
            name = NAMES[i % len(NAMES)]
            values = {
                "first_name": name,
                "greeting": f"Hi {name},",
                "unsubscribe": f"https://clinic.example.com/u/{i:032x}",
                "preferences": f"https://clinic.example.com/p/{i:032x}",
                "confirm": f"https://clinic.example.com/c/{i:032x}",
            }
            html = mjml.mjml2html(env.from_string(t.mjml).render(values))
            message = EmailMessage()
            message["From"] = FROM
            message["To"] = f"patient{i:05d}@example.com"
            message["Subject"] = env.from_string(t.subject).render(values)
            message.set_content(env.from_string(t.text).render(values))
            message.add_alternative(html, subtype="html")
            with smtplib.SMTP(sink.host, sink.port) as smtp:
                smtp.send_message(message)

    return Method(
        key="naive",
        label="naive loop: Jinja + MJML + `EmailMessage` + new connection per email",
        run=run,
    )


def drip_tick(label: str, database: str, count: int) -> Method:
    """`drip tick --now T0` over `count` due deliveries in `database` (`sqlite` or a URL)."""
    state: dict[str, object] = {}
    stack = contextlib.ExitStack()

    def prepare(sink: Sink) -> None:
        url, _setup = stack.enter_context(populated(database, count))
        cwd = stack.enter_context(tempfile.TemporaryDirectory(prefix="drip-bench-cwd-"))
        state["env"] = drip_env(url, f"smtp://{sink.host}:{sink.port}")
        state["cwd"] = Path(cwd)

    def run(sink: Sink) -> None:
        env, cwd = state["env"], state["cwd"]
        assert isinstance(env, dict) and isinstance(cwd, Path)
        _seconds, out = harness.run_cli(["tick", "--now", NOW], env=env, cwd=cwd)
        if f"sent {count}," not in out:
            raise AssertionError(f"drip tick did not send {count}: {out.strip()!r}")

    return Method(
        key=f"drip-{label.lower()}",
        label=f"**drip tick, {label}**",
        prepare=prepare,
        run=run,
        cleanup=stack.close,
    )


def dpo(config: wire_dpo.DpoConfig, messages: list[Outgoing], count: int) -> Method:
    """django-post-office's `send_queued_mail` in its own virtualenv: queue untimed, send
    timed (the driver subprocess, end to end, as for drip)."""
    run_dir = Path(tempfile.mkdtemp(prefix="drip-bench-dpo-"))  # kept for every round
    atexit.register(shutil.rmtree, run_dir, ignore_errors=True)
    state: dict[str, wire_dpo.Queue] = {}

    def prepare(sink: Sink) -> None:
        state["queue"] = wire_dpo.queue(config, messages, run_dir, sink=(sink.host, sink.port))

    def run(sink: Sink) -> None:
        sent = wire_dpo.send(state["queue"])
        if sent != count:
            raise AssertionError(f"django-post-office sent {sent}, expected {count}")

    def cleanup() -> None:
        if "queue" in state:
            wire_dpo.drop(state.pop("queue"))

    return Method(
        key=f"dpo-{config.key}",
        label=f"django-post-office `send_queued_mail`, {config.label}",
        prepare=prepare,
        run=run,
        cleanup=cleanup,
    )


def timed(method: Method, sink: Sink, count: int) -> tuple[float, int, int]:
    """Prepare, run (timed), check the sink got exactly `count`: (wall seconds, emails the
    sink received, mean bytes per email as it counted them, 0 when it does not count bytes)."""
    try:
        method.prepare(sink)
        before, size_before = sink.count()
        start = time.perf_counter()
        method.run(sink)
        seconds = time.perf_counter() - start
        after, size_after = sink.count()
    finally:
        method.cleanup()
    if after - before != count:
        raise AssertionError(
            f"{method.label} → {sink.name}: the sink received {after - before}, expected {count}"
        )
    return seconds, after - before, (size_after - size_before) // count
