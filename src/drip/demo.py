"""`drip demo`: the main job on embedded defaults, under a simulated clock.

A throwaway SQLite database, the committed sequences.yaml and its article, one sample patient
per cause (each in another time zone), the double opt-in, then the real dispatcher (the same
`Dispatcher` that `drip run` drives) over the whole sequence length. Only the clock and the
mailer are swapped: the clock jumps to the next due time, the mailer keeps the messages, which
are written to `--out` as .eml and .html with an index.html.
"""

from __future__ import annotations

import dataclasses
import html
import tempfile
import time
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from drip import clock, config, mailer
from drip.service import app as app_module
from drip.service import dispatch, subscriptions

SAMPLE_PATIENTS = (
    ("Ana", "Europe/Lisbon"),
    ("Ben", "America/New_York"),
    ("Chloé", "Asia/Tokyo"),
    ("Dev", "Australia/Sydney"),
    ("Eva", "America/Los_Angeles"),
    ("Femi", "Africa/Lagos"),
)
CONFIRM_AFTER = timedelta(minutes=12)  # the sample patients click the opt-in link this fast
CONSENT_DEMO = "Sample patient created by drip demo."


@dataclass(frozen=True, kw_only=True)
class Sent:
    patient: str
    timezone: str
    email: str
    subject: str
    at: datetime
    message: EmailMessage


def run(cfg: config.Config, *, out_dir: Path, start: datetime | None = None) -> str:
    """Run the demo and return the summary to print."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drip-demo-") as tmp:
        cfg = dataclasses.replace(
            cfg, database_url=f"sqlite:///{tmp}/demo.db", smtp_url="memory://", secret_key="demo"
        )
        app = app_module.open_app(cfg)
        try:
            app.store.upgrade()
            sent = _simulate(app, start or _start_of_next_hour(clock.utcnow()))
        finally:
            app.store.dispose()
    _write(out_dir, sent)
    seconds = time.perf_counter() - started
    return _summary(sent, out_dir, seconds)


def _start_of_next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _simulate(app: app_module.App, start: datetime) -> list[Sent]:
    outbox = mailer.MemoryMailer()
    now = start
    dispatcher = dispatch.Dispatcher(app=app, mailer=outbox, clock=lambda: now, owner="demo")
    patients = {}
    for cause, (name, tz) in zip(app.plan.causes, _cycle(len(app.plan.causes)), strict=True):
        email = f"{name.lower().replace('é', 'e')}.{cause.slug}@example.com"
        patients[email] = (name, tz)
        subscriptions.subscribe(
            app,
            email=email,
            first_name=name,
            cause=cause.slug,
            timezone=tz,
            consent=subscriptions.Consent(source="demo", text=CONSENT_DEMO),
            confirmed=False,
            now=now,
        )
    dispatcher.tick()  # the opt-in emails
    now = start + CONFIRM_AFTER
    for email in patients:
        subscriber = app.store.subscriber_by_email(email)
        assert subscriber is not None
        subscriptions.confirm(app, subscriber.uid, now=now)
    while (due := app.store.status(now=now).next_due) is not None:
        now = max(now, due)
        dispatcher.tick()
    return [_sent(message, patients) for message in outbox.sent]


def _cycle(n: int) -> list[tuple[str, str]]:
    return [SAMPLE_PATIENTS[i % len(SAMPLE_PATIENTS)] for i in range(n)]


def _sent(message: EmailMessage, patients: dict[str, tuple[str, str]]) -> Sent:
    email = str(message["To"].addresses[0].addr_spec)
    name, tz = patients[email]
    return Sent(
        patient=name,
        timezone=tz,
        email=email,
        subject=str(message["Subject"]),
        at=parsedate_to_datetime(str(message["Date"])).astimezone(UTC),
        message=message,
    )


def _write(out_dir: Path, sent: list[Sent]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[str]] = {}
    for n, item in enumerate(sent, 1):
        stem = f"{n:03d}-{item.patient.lower().replace('é', 'e')}"
        (out_dir / f"{stem}.eml").write_bytes(item.message.as_bytes())
        body = item.message.get_body(preferencelist=("html",))
        assert body is not None
        (out_dir / f"{stem}.html").write_text(body.get_content(), encoding="utf-8")
        local = item.at.astimezone(zoneinfo.ZoneInfo(item.timezone))
        rows.setdefault(f"{item.patient} ({item.timezone})", []).append(
            f"<tr><td>{local:%a %d %b %Y %H:%M}</td><td>{item.at:%Y-%m-%d %H:%M}Z</td>"
            f'<td><a href="{stem}.html">{html.escape(item.subject)}</a></td>'
            f'<td><a href="{stem}.eml">.eml</a></td></tr>'
        )
    (out_dir / "index.html").write_text(_index(rows), encoding="utf-8")


def _index(rows: dict[str, list[str]]) -> str:
    sections = "".join(
        f"<h2>{html.escape(patient)}</h2><table><tr><th>local time</th><th>UTC</th>"
        f"<th>email</th><th></th></tr>{''.join(lines)}</table>"
        for patient, lines in rows.items()
    )
    return (
        '<!doctype html><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width,initial-scale=1"><title>drip demo</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}td,th{padding:.25rem .75rem;text-align:left}</style>"
        f"<h1>drip demo: who gets what, when</h1>{sections}"
    )


def _summary(sent: list[Sent], out_dir: Path, seconds: float) -> str:
    lines = [f"{'patient':<28} {'local time':<22} {'UTC':<18} subject"]
    for item in sent:
        local = item.at.astimezone(zoneinfo.ZoneInfo(item.timezone))
        lines.append(
            f"{item.patient + ' (' + item.timezone + ')':<28} {local:%a %d %b %H:%M %Z}"
            f"{'':<4} {item.at:%Y-%m-%d %H:%M}Z  {item.subject[:60]}"
        )
    lines.append("")
    lines.append(
        f"{len(sent)} emails to {len({s.email for s in sent})} sample patients written to "
        f"{out_dir}/ in {seconds:.1f}s; open {out_dir / 'index.html'}"
    )
    return "\n".join(lines)
