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
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from drip import clock, config, mail_url, mailer
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
# The demo's throwaway database dies with it, and so do its links: a fixed key is harmless here.
DEMO_KEY = "drip-demo-key-for-a-throwaway-database"


@dataclass(frozen=True, kw_only=True)
class Patient:
    name: str
    timezone: str
    email: str  # never the cause: an address is a header, and the cause is health data
    cause_label: str

    @property
    def title(self) -> str:
        return f"{self.name} ({self.timezone}): {self.cause_label}"


@dataclass(frozen=True, kw_only=True)
class Sent:
    patient: Patient
    subject: str
    at: datetime
    message: EmailMessage


def run(cfg: config.Config, *, out_dir: Path, start: datetime | None = None) -> str:
    """Run the demo and return the summary to print."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drip-demo-") as tmp:
        cfg = dataclasses.replace(
            cfg,
            database_url=f"sqlite:///{tmp}/demo.db",
            smtp_url=mail_url.parse("memory://"),
            secret_key=DEMO_KEY,
            secret_key_file=None,
            old_secret_keys=(),
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
    patients = {p.email: p for p in _patients(app)}
    for patient, cause in zip(patients.values(), app.plan.causes, strict=True):
        subscriptions.subscribe(
            app,
            email=patient.email,
            first_name=patient.name,
            cause=cause.slug,
            timezone=patient.timezone,
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


def _patients(app: app_module.App) -> list[Patient]:
    """One sample patient per cause, each in another time zone."""
    patients = []
    for n, cause in enumerate(app.plan.causes):
        name, tz = SAMPLE_PATIENTS[n % len(SAMPLE_PATIENTS)]
        local = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        suffix = "" if n < len(SAMPLE_PATIENTS) else str(n // len(SAMPLE_PATIENTS) + 1)
        patients.append(
            Patient(
                name=name,
                timezone=tz,
                email=f"{local}{suffix}@example.com",
                cause_label=cause.label,
            )
        )
    return patients


def _sent(message: EmailMessage, patients: dict[str, Patient]) -> Sent:
    email = str(message["To"].addresses[0].addr_spec)
    return Sent(
        patient=patients[email],
        subject=str(message["Subject"]),
        at=parsedate_to_datetime(str(message["Date"])).astimezone(UTC),
        message=message,
    )


def _write(out_dir: Path, sent: list[Sent]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[str]] = {}
    for n, item in enumerate(sent, 1):
        stem = f"{n:03d}-{item.patient.email.partition('@')[0]}"
        (out_dir / f"{stem}.eml").write_bytes(item.message.as_bytes())
        body = item.message.get_body(preferencelist=("html",))
        assert body is not None
        (out_dir / f"{stem}.html").write_text(body.get_content(), encoding="utf-8")
        local = item.at.astimezone(zoneinfo.ZoneInfo(item.patient.timezone))
        rows.setdefault(item.patient.title, []).append(
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
    """The timeline, one line per email, grouped by patient, then where to look."""
    lines = []
    for patient in dict.fromkeys(item.patient for item in sent):
        lines.append(patient.title)
        for item in (i for i in sent if i.patient is patient):
            local = item.at.astimezone(zoneinfo.ZoneInfo(patient.timezone))
            lines.append(
                f"  {local:%a %d %b %H:%M} local  {item.at:%Y-%m-%d %H:%M}Z  {item.subject}"
            )
    lines.append("")
    lines.append(
        f"{len(sent)} emails to {len({s.patient.email for s in sent})} sample patients written "
        f"to {out_dir}/ in {seconds:.1f}s; open {out_dir / 'index.html'}"
    )
    return "\n".join(lines)
