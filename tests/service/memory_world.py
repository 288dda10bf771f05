"""The dispatcher on the in-memory outbox, with the committed sequences and templates: the
world of the fast dispatch tests (test_dispatch_decisions.py, test_dispatch_overlap.py)."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drip import config, mailer, planning, rendering, sequences, store
from drip.service import app as app_module
from drip.service import dispatch, letters

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday; 15:00 in London is in the window
KEY = "decisions-test-secret-key-0123456789abcdef"


@functools.cache
def committed() -> tuple[sequences.Plan, rendering.Renderer]:
    """The committed sequences.yaml, its article and templates: loaded once for the module."""
    cfg = config.load(
        {
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
        }
    )
    plan, article = app_module.load_plan(cfg)
    return plan, rendering.Renderer(plan=plan, article=article, templates=cfg.templates)


@dataclasses.dataclass
class Fixture:
    outbox: store.MemoryOutbox
    sender: mailer.MemoryMailer
    dispatcher: dispatch.Dispatcher

    def patient(self, email: str = "ana@example.com", *, step: str = "welcome") -> int:
        who = self.outbox.add_subscriber(email=email, first_name="Ana", timezone="Europe/London")
        self.outbox.enroll(
            who, sequence="muscle-injury", first=planning.Planned(step_id=step, due_at=T0)
        )
        return who

    def batch(self, **changes: Any) -> dispatch.BatchResult:
        return dataclasses.replace(self.dispatcher, **changes).batch()

    def rows(self) -> list[tuple[str, store.DeliveryState, int]]:
        return [(d.step_id, d.state, d.attempts) for d in self.outbox.deliveries()]


def make() -> Fixture:
    plan, renderer = committed()
    outbox, sender = store.MemoryOutbox(), mailer.MemoryMailer()
    composer = letters.Letters(
        plan=plan, renderer=renderer, keys=(KEY,), base_url="https://tips.clinic.example"
    )
    return Fixture(
        outbox=outbox,
        sender=sender,
        dispatcher=dispatch.Dispatcher(
            outbox=outbox,
            sender=sender,
            letters=composer,
            plan=plan,
            clock=lambda: T0,
            owner="w1",
            batch_size=10,
            lease_seconds=300,
        ),
    )
