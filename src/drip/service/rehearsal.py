"""The whole main job on a throwaway database under a simulated clock: what `drip demo` shows.

A throwaway SQLite database, the configured sequences.yaml and its article, one sample patient
per cause (each in another time zone), the double opt-in, then the real dispatcher (the one
`drip run` drives) over the whole sequence length. Only the clock and the mailer are swapped:
the clock jumps to the next due time, the mailer keeps the messages.
"""

from __future__ import annotations

import dataclasses
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from drip import config, mail_url, mailer
from drip.service import app as app_module
from drip.service import operations, subscriptions

SAMPLE_PATIENTS = (
    ("Ana", "Europe/Lisbon"),
    ("Ben", "America/New_York"),
    ("Chloé", "Asia/Tokyo"),
    ("Dev", "Australia/Sydney"),
    ("Eva", "America/Los_Angeles"),
    ("Femi", "Africa/Lagos"),
)
CONFIRM_AFTER = timedelta(minutes=12)  # the sample patients click the opt-in link this fast
CONSENT = "Sample patient created by drip demo."
# The throwaway database dies with the run, and so do its links: a fixed key is harmless here.
KEY = "drip-demo-key-for-a-throwaway-database"


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


def rehearse(cfg: config.Config, *, start: datetime, database_url: str | None = None) -> list[Sent]:
    """Every email the sample patients get, in the order sent, from `start` on.

    `database_url` names an empty database to rehearse in and keep (to read `drip stats`
    from afterwards); by default a throwaway one."""
    with tempfile.TemporaryDirectory(prefix="drip-demo-") as tmp:
        cfg = dataclasses.replace(
            cfg,
            database_url=database_url or f"sqlite:///{tmp}/demo.db",
            smtp_url=mail_url.parse("memory://"),
            secret_key=KEY,
            secret_key_file=None,
            suppression_key=KEY,
            suppression_key_file=None,
            old_secret_keys=(),
        )
        with app_module.open_app(cfg) as app:
            app.store.upgrade()
            return _simulate(app, start)


def _simulate(app: app_module.App, start: datetime) -> list[Sent]:
    outbox = mailer.MemoryMailer()
    now = start
    dispatcher = operations.dispatcher(app, outbox, now=lambda: now, simulated=True, owner="demo")
    patients = {p.email: p for p in _patients(app)}
    for patient, cause in zip(patients.values(), app.plan.causes, strict=True):
        subscriptions.subscribe(
            app,
            email=patient.email,
            first_name=patient.name,
            cause=cause.slug,
            timezone=patient.timezone,
            consent=subscriptions.Consent(source="demo", text=CONSENT),
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
    [(_, email)] = getaddresses([str(message["To"])])
    return Sent(
        patient=patients[email],
        subject=str(message["Subject"]),
        at=parsedate_to_datetime(str(message["Date"])).astimezone(UTC),
        message=message,
    )
