"""drip's real dispatcher, a real store and a real SMTP mailer, talking over loopback to a server
that misbehaves (tests/smtp_faults.py), on a simulated clock: a test makes faults happen, runs
passes, moves time to the next retry and reads back the deliveries' rows and the bytes the
server kept.

    with World.open(database_url) as world:
        emails = world.patients(3)                  # confirmed at T0, welcomes due at T0
        world.server.script(Fault.reply(451, "4.3.0 Later", at=Stage.RCPT))
        world.tick()                                # one pass, as `drip tick --now` runs it
        world.welcomes()                            # the welcome deliveries' rows
        world.to_next_retry()                       # the clock jumps to the earliest due row
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

import always_open
import db_rows
from drip import config, mailer, store
from drip.service import app as app_module
from drip.service import dispatch, operations, subscriptions
from drip.store import models
from smtp_faults import FaultySmtp
from smtp_sink import SelfSignedTls

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday
TIMEZONE = "Europe/London"
CONSENT = subscriptions.Consent(source="test", text="yes")
OWNER = "faults-worker"


@dataclasses.dataclass
class Clock:
    """The dispatcher's "now": moved by the test, never by waiting."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclasses.dataclass(frozen=True, kw_only=True)
class Row:
    """A welcome delivery as its row says."""

    id: int
    uid: str
    email: str
    state: store.DeliveryState
    attempts: int
    last_error: str | None
    message_id: str | None
    due_at: datetime
    lease_owner: str | None


@dataclasses.dataclass
class World:
    app: app_module.App
    server: FaultySmtp
    mailer: mailer.Mailer
    clock: Clock
    config: config.Config

    @classmethod
    @contextmanager
    def open(
        cls,
        database_url: str,
        directory: Path,
        *,
        timeout: float = 5.0,
        tls: SelfSignedTls | None = None,
        **settings: str,
    ) -> Iterator[World]:
        """A migrated database at `database_url`, the committed sequences with an always-open
        send window (written in `directory`), and a running FaultySmtp (offering STARTTLS,
        which drip then requires, with `tls`)."""
        with FaultySmtp(tls=tls) as server:
            starttls = "&starttls=true" if tls else ""
            cfg = config.load(
                {
                    "DRIP_DATABASE_URL": database_url,
                    "DRIP_SMTP_URL": f"{server.url}?timeout={timeout:g}{starttls}",
                    "DRIP_SEQUENCES": str(always_open.sequences_in(directory)),
                    "DRIP_TEMPLATES": str(always_open.TEMPLATES),
                    "DRIP_SECRET_KEY": "faults-test-secret-key-0123456789abcdef",
                    "DRIP_SUPPRESSION_KEY": db_rows.SUPPRESSION_KEY,
                    "DRIP_WORKER_ID": OWNER,
                    **settings,
                }
            )
            trust = tls.client_context if tls else None
            smtp = mailer.from_settings(cfg.smtp_url, ssl_context=trust)
            with app_module.open_app(cfg) as app, smtp:
                app.store.upgrade()
                yield cls(app=app, server=server, mailer=smtp, clock=Clock(), config=cfg)

    @property
    def db(self) -> store.Store:
        return self.app.store

    def patients(self, count: int, *, start: int = 0) -> list[str]:
        """`count` confirmed patients, causes in turn, whose welcome is due at T0: emails."""
        causes = [cause.slug for cause in self.app.plan.causes]
        emails = [f"patient{n:04d}@example.org" for n in range(start, start + count)]
        for n, email in enumerate(emails, start):
            subscriptions.subscribe(
                self.app,
                email=email,
                first_name=f"Pat{n}",
                cause=causes[n % len(causes)],
                timezone=TIMEZONE,
                consent=CONSENT,
                confirmed=True,
                now=T0,
            )
        return emails

    def dispatcher(self, **changes: object) -> dispatch.Dispatcher:
        """The dispatcher `drip tick --now` wires, on this world's clock and mailer."""
        wired = operations.dispatcher(
            self.app, self.mailer, now=self.clock, simulated=True, owner=OWNER
        )
        return dataclasses.replace(wired, **changes)  # type: ignore[arg-type]

    def tick(self) -> dispatch.BatchResult:
        """One pass over what is due now: every batch, until nothing is or a batch halts."""
        return dispatch.total(self.dispatcher().tick())

    def welcomes(self) -> list[Row]:
        """Every enrollment's first delivery (the one each test makes due), by id."""
        d, s = models.DeliveryRow, models.SubscriberRow
        query = (
            sa.select(
                d.id,
                d.uid,
                s.email,
                d.state,
                d.attempts,
                d.last_error,
                d.message_id,
                d.due_at,
                d.lease_owner,
            )
            .join(s, s.id == d.subscriber_id)
            .where(d.step_id == "welcome", d.sequence != store.CONFIRM_SEQUENCE)
            .order_by(d.id)
        )
        with self.db.engine.connect() as conn:
            return [Row(**row) for row in conn.execute(query).mappings()]

    def to_next_retry(self) -> datetime | None:
        """Move the clock to the earliest pending welcome's due time (what waiting for the
        backoff would do); None when no welcome is pending."""
        due = [row.due_at for row in self.welcomes() if row.state is store.DeliveryState.PENDING]
        if not due:
            return None
        self.clock.now = max(self.clock.now, min(due))
        return self.clock.now
