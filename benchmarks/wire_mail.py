"""drip's real emails for the side-by-side run: the same N messages for every method.

Every method sends the welcome step of each cause in turn (what the first `drip tick` after a
day of sign-ups sends) to patient00000@example.com, patient00001@… with the bench_tick names:
drip composes them itself; the raw ceiling sends drip's own bytes, composed beforehand by
drip's dispatch path (`service.letters.Letters.compose`, then the mailer's `flatten`);
django-post-office gets their text and HTML parts; the naive loop renders drip's MJML (the
welcome template after Jinja, personal fields as Jinja variables) from scratch per email.
"""

from __future__ import annotations

import email.message
import email.policy
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from bench_tick import NAMES, T0, drip_env

from drip import config, rendering, sequences, store
from drip.mailer import base as mailer_base
from drip.service import app as app_module
from drip.service import letters as letters_module

FROM = "clinic@example.com"  # the envelope sender of the methods that are not drip


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One prebuilt email: the envelope and the bytes on the wire."""

    sender: str
    recipient: str
    data: bytes


@contextmanager
def drip_app() -> Iterator[app_module.App]:
    """drip's app on the committed sequences.yaml and templates (no database is touched)."""
    app = app_module.open_app(config.load(drip_env("sqlite://", "memory://")))
    try:
        yield app
    finally:
        app.store.dispose()


def welcome_steps(plan: sequences.Plan) -> list[tuple[str, str]]:
    """(cause, first step id) of every cause, in plan order."""
    found = []
    for cause in plan.causes:
        sequence = plan.sequence(cause.slug)
        if sequence is not None and sequence.steps:
            found.append((cause.slug, sequence.steps[0].id))
    return found


def claims(plan: sequences.Plan, count: int) -> list[store.Claim]:
    """`count` claims as the store would hand them to the dispatcher at T0."""
    steps = welcome_steps(plan)
    made = []
    for i in range(count):
        cause, step_id = steps[i % len(steps)]
        made.append(
            store.Claim(
                delivery_id=i + 1,
                delivery_uid=f"{i:032x}",
                subscriber_id=i + 1,
                subscriber_uid=f"{i + 10**9:032x}",
                email=f"patient{i:05d}@example.com",
                first_name=NAMES[i % len(NAMES)],
                timezone="Europe/London",
                state=store.SubscriberState.ACTIVE,
                sequence=cause,
                step_id=step_id,
                due_at=T0,
                attempts=0,
                lease_owner="bench",
                lease_expires_at=T0 + timedelta(minutes=5),
            )
        )
    return made


def letters_of(app: app_module.App) -> letters_module.Letters:
    return letters_module.Letters(
        plan=app.plan, renderer=app.renderer, keys=app.keys, base_url=app.base_url
    )


def prebuilt(app: app_module.App, count: int) -> list[Outgoing]:
    """drip's `count` emails as bytes, composed the way the dispatcher composes them."""
    letters = letters_of(app)
    built = []
    for claim in claims(app.plan, count):
        message = letters.compose(claim, now=T0)
        built.append(
            Outgoing(sender=FROM, recipient=claim.email, data=mailer_base.flatten(message))
        )
    return built


def render_rate(app: app_module.App, count: int) -> tuple[float, int]:
    """Target 2: (emails/s, mean bytes) of drip's render + MIME path on one core, no sending.

    Each step is rendered on first use by a new Renderer (as a worker starting up does), then
    every email is personalised and composed (`Letters.compose`: signed links, placeholders,
    headers, MIME) and flattened to bytes as the mailer does."""
    fresh = app_module.App(
        config=app.config,
        plan=app.plan,
        article=app.article,
        renderer=rendering.Renderer(
            plan=app.plan, article=app.article, templates=app.config.templates
        ),
        store=app.store,
    )
    letters = letters_of(fresh)
    todo = claims(app.plan, count)
    size = 0
    start = time.perf_counter()
    for claim in todo:
        size += len(mailer_base.flatten(letters.compose(claim, now=T0)))
    seconds = time.perf_counter() - start
    return count / seconds, size // count


@dataclass(frozen=True, kw_only=True)
class NaiveTemplate:
    """A welcome step as the naive loop sees it: MJML and text with Jinja variables."""

    subject: str
    mjml: str
    text: str


def naive_templates(app: app_module.App) -> list[NaiveTemplate]:
    """drip's welcome MJML after its own Jinja pass (captured from a fresh Renderer), drip's
    `%%drip:name%%` placeholders turned into `{{ name }}` for the naive loop's Jinja."""
    renderer = rendering.Renderer(
        plan=app.plan, article=app.article, templates=app.config.templates
    )
    captured: list[str] = []
    original = renderer.templates.compile

    def capture(name: str, source: str) -> str:
        captured.append(source)
        return original(name, source)

    renderer.templates.compile = capture  # type: ignore[method-assign]
    made = []
    for cause, step_id in welcome_steps(app.plan):
        captured.clear()
        rendered = renderer.step(cause, step_id)
        made.append(
            NaiveTemplate(
                subject=_jinja(rendered.subject),
                mjml=_jinja(captured[-1]),
                text=_jinja(rendered.text),
            )
        )
    return made


def _jinja(source: str) -> str:
    return re.sub(r"%%drip:([a-z_]+)%%", r"{{ \1 }}", source)


def parts(message_bytes: bytes) -> tuple[str, str, str]:
    """(subject, text, html) of one of drip's emails, for django-post-office."""
    parsed = email.message_from_bytes(message_bytes, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(parsed["Subject"]), text.get_content(), html.get_content()
