"""`drip send-test`: one step, or a whole sequence, to any address, as a sample patient gets it.

A proof goes through the configured mailer (DRIP_SMTP_URL) like any email, with `[TEST] ` in
front of its subject. It is no delivery: the database is neither opened nor written, so no
patient's state, outbox or history changes, and its links are the preview's sample links
(`/u/SAMPLE-TOKEN`), which name nobody. Every email is built before the first is sent: a step
that cannot be rendered sends nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from drip import config, contacts, mailer, rendering, sequences
from drip.service import app as app_module
from drip.service import authoring, shown
from drip.service import samples as samples_module

PREFIX = "[TEST] "


@dataclass(frozen=True, kw_only=True)
class Proof:
    step: str  # the step id, or "confirm" for the opt-in email
    subject: str  # as sent, with its prefix


@dataclass(frozen=True, kw_only=True)
class Sent:
    proofs: tuple[Proof, ...]
    to: str
    patient: samples_module.Sample
    via: str  # the mailer, as it may be shown (no password)


def send_test(
    cfg: config.Config,
    *,
    cause: str,
    step: str | None,
    to: str,
    patient: str | None,
    now: datetime,
) -> Sent:
    """Send `step` of `cause`'s sequence (every step, in order, when None; `confirm`: the
    opt-in email) to `to`, with the sample `patient`'s first name (default: the first sample
    of that cause)."""
    plan, article = app_module.load_plan(cfg)
    address = contacts.normalise(to)
    sample = samples_module.strict(cfg.samples, plan).pick(cause, patient)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    base_url = cfg.base_url or plan.clinic.base_url
    which = _steps(plan, cause, step)
    messages = []
    for step_id in which:
        rendered = authoring.rendered(plan, renderer, cause, step_id)
        messages.append(
            rendering.compose(
                dataclasses.replace(rendered, subject=PREFIX + rendered.subject),
                clinic=plan.clinic,
                recipient=rendering.Recipient(email=address, first_name=sample.name),
                links=rendering.sample_links(base_url),
                message_id=rendering.message_id(
                    f"send-test/{cause}/{step_id}/{address}/{now.isoformat()}",
                    domain=plan.clinic.sender_domain,
                ),
                date=now,
            )
        )
    with mailer.from_settings(cfg.smtp_url) as outgoing:
        for message in messages:
            outgoing.send(message)
    return Sent(
        proofs=tuple(_proof(s, m) for s, m in zip(which, messages, strict=True)),
        to=address,
        patient=sample,
        via=cfg.smtp_url.shown,
    )


def _steps(plan: sequences.Plan, cause: str, step: str | None) -> list[str]:
    if step is not None:
        return [step]
    sequence = plan.sequence(cause)
    return [s.id for s in sequence.steps] if sequence else [""]  # "" is refused as a step


def _proof(step_id: str, message: EmailMessage) -> Proof:
    return Proof(step=step_id, subject=shown.text(message, "Subject"))
