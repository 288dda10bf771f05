"""Benchmarks 0-4: CLI start-up, `drip check`, ingest, rendering and the planner."""

from __future__ import annotations

import email.policy
import email.utils
import functools
import os
import statistics
import subprocess
import sys
import time
import uuid
import zoneinfo
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import harness
from harness import REPO, SEQUENCES, TEMPLATES, Report, Result

from drip import clock, config, ingest, planning, rendering, sequences, tokens
from drip.service import app as app_module
from drip.service import checking

BENCH_KEYS = ("bench-secret-key-0123456789abcdefghij",)

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 15:00 in London: inside the window
LONDON = zoneinfo.ZoneInfo("Europe/London")


STARTUP_BUDGET = 0.15  # seconds over a bare interpreter for `drip --help` (Foundations)


def startup(report: Report, *, runs: int) -> None:
    """What every `drip` command pays before doing anything: interpreter + imports.

    The commands are sampled interleaved, round after round, so that the machine's noise falls
    on all of them alike; each row's note gives its median minus the bare interpreter's."""
    env = harness.clean_env()
    commands = {
        "`python -c pass` (baseline)": lambda: subprocess.run(
            [sys.executable, "-c", "pass"], env=env, check=True
        ),
        "`drip --version`": lambda: harness.run_cli(["--version"], env=env, cwd=REPO),
        "`drip --help`": lambda: harness.run_cli(["--help"], env=env, cwd=REPO),
        "`drip check --help`": lambda: harness.run_cli(["check", "--help"], env=env, cwd=REPO),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs + 1):  # the first round warms the caches and is not kept
        for name, run in commands.items():
            started = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - started)
    baseline = statistics.median(samples["`python -c pass` (baseline)"][1:])
    for name, taken in samples.items():
        over = statistics.median(taken[1:]) - baseline
        note = (
            ""
            if "baseline" in name
            else (
                f"+{over * 1000:.0f} ms over the baseline (budget {STARTUP_BUDGET * 1000:.0f} ms: "
                f"{'met' if over <= STARTUP_BUDGET else 'MISSED'})"
            )
        )
        report.add(Result(group="0", name=name, samples=tuple(taken[1:]), note=note))


def check(report: Report, *, runs: int) -> None:
    env = harness.clean_env()
    outputs: list[str] = []

    def cli() -> None:
        outputs.append(harness.run_cli(["check"], env=env, cwd=REPO)[1])

    samples = harness.timed(cli, runs=runs, warmup=1)
    summary = outputs[-1].strip().splitlines()[-1]
    report.add(
        Result(group="1", name="`drip check` (CLI subprocess)", samples=samples, note=summary)
    )

    reports: list[checking.CheckReport] = []
    samples = harness.timed(
        lambda: reports.append(checking.check(sequences_path=SEQUENCES, templates_dir=TEMPLATES)),
        runs=runs,
    )
    last = reports[-1]
    assert last.ok, checking.format_human(last)
    report.add(
        Result(
            group="1",
            name="`checking.check()` in-process",
            samples=samples,
            per_op="step",
            ops=last.steps_rendered,
            note=f"{last.sequences} sequences, {last.steps_rendered} steps rendered",
        )
    )


def articles() -> list[Path]:
    fixtures = REPO / "tests" / "fixtures" / "articles"
    return [
        REPO / "articles" / "back-spasms.txt",
        *sorted(fixtures.glob("*.html")),
        *sorted(fixtures.glob("*.md")),
    ]


def corpus() -> list[Path]:
    folder = Path(os.environ.get("DRIP_CORPUS") or REPO.parent / "shared" / "corpus")
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in {".md", ".html", ".txt"} and not p.name.endswith(".source.txt")
    )


def ingest_articles(report: Report, *, runs: int) -> None:
    for path in articles():
        article = ingest.read_article(path)
        samples = harness.timed_loop(functools.partial(ingest.read_article, path), runs=runs)
        report.add(
            Result(
                group="2",
                name=f"`read_article` {path.relative_to(REPO)}",
                samples=samples,
                per_op="article",
                note=f"{path.stat().st_size:,} bytes, {len(article.sections)} sections",
            )
        )
    paths = corpus()
    per_article = {
        p: harness.timed_loop(functools.partial(ingest.read_article, p), runs=3) for p in paths
    }
    slowest = max(per_article, key=lambda p: min(per_article[p]))
    samples = tuple(sum(s[i] for s in per_article.values()) / len(paths) for i in range(3))
    report.add(
        Result(
            group="2",
            name=f"`read_article` corpus, mean of {len(paths)} articles",
            samples=samples,
            per_op="article",
            note=f"slowest: {slowest.name} ({harness.fmt_time(min(per_article[slowest]))})",
        )
    )


def rendering_paths(report: Report, *, runs: int) -> None:
    cfg = config.load({"DRIP_SEQUENCES": str(SEQUENCES), "DRIP_TEMPLATES": str(TEMPLATES)})
    plan, article = app_module.load_plan(cfg)
    steps = [(cause, s.id) for cause, seq in plan.sequences.items() for s in seq.steps]

    def new_renderer() -> rendering.Renderer:
        return rendering.Renderer(plan=plan, article=article, templates=cfg.templates)

    def cold() -> None:
        for cause, step_id in steps:
            new_renderer().step(cause, step_id)

    samples = tuple(s / len(steps) for s in harness.timed(cold, runs=max(3, runs // 2)))
    report.add(
        Result(
            group="3",
            name="`Renderer.step` cold (new Renderer per step)",
            samples=samples,
            per_op="step",
            note=f"mean over all {len(steps)} steps",
        )
    )

    def first_use() -> float:
        renderer = new_renderer()
        start = time.perf_counter()
        for cause, step_id in steps:
            renderer.step(cause, step_id)
        return (time.perf_counter() - start) / len(steps)

    first_use()
    samples = tuple(first_use() for _ in range(max(3, runs // 2)))
    report.add(
        Result(
            group="3",
            name="`Renderer.step` first use (one Renderer, templates loaded once)",
            samples=samples,
            per_op="step",
            note="what a worker pays once per step",
        )
    )

    renderer = new_renderer()
    renderer.step("muscle-injury", "welcome")
    samples = harness.timed_loop(lambda: renderer.step("muscle-injury", "welcome"), runs=runs)
    report.add(
        Result(group="3", name="`Renderer.step` warm (cached)", samples=samples, per_op="call")
    )

    rendered = renderer.step("muscle-injury", "welcome")
    uid = uuid.uuid4().hex
    recipient = rendering.Recipient(email="ana.silva@example.com", first_name="Ana")
    base_url = plan.clinic.base_url

    def links() -> rendering.Links:
        unsubscribe, preferences, confirm = tokens.links(
            BENCH_KEYS, base_url, uid, now=clock.utcnow()
        )
        return rendering.Links(unsubscribe=unsubscribe, preferences=preferences, confirm=confirm)

    fixed_links = links()

    def compose(signed: rendering.Links = fixed_links) -> EmailMessage:
        return rendering.compose(
            rendered,
            clinic=plan.clinic,
            recipient=recipient,
            links=signed,
            message_id=rendering.message_id(uid, domain="winternheimer-chiro.example"),
            date=T0,
        )

    samples = harness.timed_loop(links, runs=runs)
    report.add(
        Result(
            group="3",
            name="`tokens.links` (3 signed links)",
            samples=samples,
            per_op="message",
            note="per message in dispatch",
        )
    )
    samples = harness.timed_loop(compose, runs=runs)
    report.add(
        Result(group="3", name="`rendering.compose` per message", samples=samples, per_op="message")
    )
    # Each sample flattens freshly composed messages, as the mailer flattens each once.
    size = len(compose().as_bytes(policy=email.policy.SMTP))

    def flatten_fresh(batch: int = 200) -> float:
        messages = [compose() for _ in range(batch)]
        start = time.perf_counter()
        for message in messages:
            message.as_bytes(policy=email.policy.SMTP)
        return (time.perf_counter() - start) / batch

    flatten_fresh()
    samples = tuple(flatten_fresh() for _ in range(runs))
    report.add(
        Result(
            group="3",
            name="`as_bytes(policy=SMTP)` per fresh message (as the mailer does)",
            samples=samples,
            per_op="message",
            note=f"{size:,} bytes on the wire",
        )
    )
    samples = harness.timed_loop(
        lambda: compose(links()).as_bytes(policy=email.policy.SMTP), runs=runs
    )
    report.add(
        Result(
            group="3",
            name="links + compose + `as_bytes()` per message",
            samples=samples,
            per_op="message",
            note="the per-patient work of a send",
        )
    )
    samples = harness.timed_loop(
        lambda: _content_manager_message(rendered, plan.clinic, fixed_links), runs=runs
    )
    report.add(
        Result(
            group="3",
            name="reference, not drip code: the same message by `EmailMessage.set_content` "
            "+ `add_alternative` and the generator (how compose built it until 2026-12)",
            samples=samples,
            per_op="message",
            note="build + as_bytes; the baseline of `links + compose + as_bytes()`",
        )
    )
    samples = harness.timed_loop(
        lambda: _compat32_message(rendered, plan.clinic, fixed_links), runs=runs
    )
    report.add(
        Result(
            group="3",
            name="reference, not drip code: the same message with `email.mime` (compat32)",
            samples=samples,
            per_op="message",
            note="build + as_bytes; for comparison with the row above",
        )
    )


def _content_manager_message(
    rendered: rendering.RenderedStep, clinic: sequences.Clinic, links: rendering.Links
) -> bytes:
    """The message compose() builds, by the email package's content manager and generator
    (set_content picks the text part's encoding, add_alternative encodes quoted-printable in
    Python, every header is parsed): what building the MIME by hand saves."""
    message = EmailMessage(policy=email.policy.SMTP)
    for name, value in _filled_headers(clinic, links).items():
        message[name] = value
    text, html = _filled(rendered, links)
    message.set_content(text)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message.as_bytes(policy=email.policy.SMTP)


def _filled(rendered: rendering.RenderedStep, links: rendering.Links) -> tuple[str, str]:
    values = {
        "%%drip:first_name%%": "Ana",
        "%%drip:greeting%%": "Hi Ana,",
        "%%drip:unsubscribe%%": links.unsubscribe,
        "%%drip:preferences%%": links.preferences,
    }
    text, html = rendered.text, rendered.html
    for key, value in values.items():
        text, html = text.replace(key, value), html.replace(key, value)
    return text, html


def _filled_headers(clinic: sequences.Clinic, links: rendering.Links) -> dict[str, str]:
    return {
        "From": clinic.from_address,
        "To": email.utils.formataddr(("Ana", "ana.silva@example.com")),
        "Reply-To": clinic.reply_to or clinic.from_address,
        "Date": email.utils.format_datetime(T0),
        "Message-ID": "<0123456789abcdef@winternheimer-chiro.example>",
        "List-Unsubscribe": f"<{links.unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _compat32_message(
    rendered: rendering.RenderedStep, clinic: sequences.Clinic, links: rendering.Links
) -> bytes:
    """The message compose() builds, with the legacy API: what the modern one costs."""
    text, html = _filled(rendered, links)
    message = MIMEMultipart("alternative")
    for name, value in _filled_headers(clinic, links).items():
        message[name] = value
    message["Subject"] = Header(rendered.subject, "utf-8").encode()
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))


def planner(report: Report, *, runs: int) -> None:
    cfg = config.load({"DRIP_SEQUENCES": str(SEQUENCES), "DRIP_TEMPLATES": str(TEMPLATES)})
    plan, _ = app_module.load_plan(cfg)
    sequence = plan.sequence("muscle-injury")
    assert sequence is not None
    friday_evening = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    cases = (
        ("due inside the window", T0),
        ("due on a Sunday: moved to Monday 09:00", friday_evening),
    )
    for label, last_sent in cases:

        def call(last_sent: datetime = last_sent) -> planning.Planned | None:
            return planning.next_step(
                sequence=sequence,
                sent=frozenset({"welcome"}),
                last_sent_at=last_sent,
                enrolled_at=last_sent,
                tz=LONDON,
                window=plan.window,
            )

        planned = call()
        assert planned is not None
        samples = harness.timed_loop(call, runs=runs)
        report.add(
            Result(
                group="4",
                name=f"`planning.next_step`, {label}",
                samples=samples,
                per_op="call",
                note=f"→ {planned.step_id} at {planned.due_at:%a %H:%M} UTC",
            )
        )
