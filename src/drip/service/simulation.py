"""`drip simulate`: who gets what, when, for the sample patients, without a database.

Each sample patient confirms at `start`; every step is then planned exactly as the daemon
plans it, by the same calls: the first step as a confirmation plans it
(`drip.planning.next_step`, as `subscriptions.confirm`), each next one from the moment the
previous one was sent (`drip.planning.plan` over `drip.planning.done_steps`, as the
dispatcher after a send). A step is taken as sent the moment it is due, as a worker that is
running sends it. `tests/service/test_simulation_agrees.py` runs the real dispatcher on a
simulated clock and checks that the two agree, step for step.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from drip import config, errors, planning, rendering, sequences
from drip.service import app as app_module
from drip.service import check_emails, shown, subscriptions
from drip.service import samples as samples_module

Sample = samples_module.Sample


@dataclass(frozen=True, kw_only=True)
class Send:
    """One email of a sample patient's timeline."""

    cause: str
    patient: Sample  # its timezone is the one planned in (--tz replaces the file's)
    number: int  # 1 for the first email this patient gets
    step: sequences.Step
    delayed: datetime  # the previous send (or the confirmation) plus the delay, in UTC
    at: datetime  # when it goes out: `delayed` moved into the send window, in UTC
    subject: str  # as this patient reads it

    @property
    def local(self) -> datetime:
        return self.at.astimezone(zoneinfo.ZoneInfo(self.patient.timezone))

    @property
    def moved(self) -> bool:
        """Whether the send window moved it (the delay alone ended outside the window)."""
        return self.at != self.delayed


@dataclass(frozen=True, kw_only=True)
class Timeline:
    cause: str
    patient: Sample
    sends: tuple[Send, ...]
    complete: bool  # the whole sequence fits in the period


@dataclass(frozen=True, kw_only=True)
class Simulation:
    start: datetime
    until: datetime
    window: sequences.SendWindow
    timelines: tuple[Timeline, ...]
    samples: str  # where the sample patients come from

    @property
    def sends(self) -> list[Send]:
        return [send for timeline in self.timelines for send in timeline.sends]


def simulate(
    cfg: config.Config,
    *,
    days: int,
    start: datetime,
    cause: str | None = None,
    timezone: str | None = None,
) -> Simulation:
    """Every sample patient's timeline over `days` from `start`, for every cause (or `cause`),
    in each patient's time zone (or `timezone`)."""
    if days < 1:
        raise errors.UsageError(f"--days {days}: simulate at least 1 day")
    plan, article = app_module.load_plan(cfg)
    _check(plan, cause, timezone)
    found = samples_module.strict(cfg.samples, plan)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    subjects = _Subjects(plan, renderer)
    until = start + timedelta(days=days)
    timelines = []
    for slug in [cause] if cause else [c.slug for c in plan.causes]:
        for patient in found.for_cause(slug):
            if timezone is not None:
                patient = dataclasses.replace(patient, timezone=timezone)
            timelines.append(_timeline(plan, slug, patient, start, until, subjects))
    return Simulation(
        start=start, until=until, window=plan.window, timelines=tuple(timelines),
        samples=found.source,
    )  # fmt: skip


def _check(plan: sequences.Plan, cause: str | None, timezone: str | None) -> None:
    """UsageError for a --cause or --tz that names nothing there is."""
    try:
        if cause is not None:
            subscriptions.check_cause(plan, cause)
        if timezone is not None:
            subscriptions.check_timezone(timezone)
    except errors.InvalidInput as exc:
        raise errors.UsageError(str(exc)) from None


def _timeline(
    plan: sequences.Plan,
    cause: str,
    patient: Sample,
    start: datetime,
    until: datetime,
    subjects: _Subjects,
) -> Timeline:
    sends: list[Send] = []
    planned = steps(plan, cause, timezone=patient.timezone, confirmed_at=start)
    for number, (step, delayed, at) in enumerate(planned, 1):
        if at > until:
            return Timeline(cause=cause, patient=patient, sends=tuple(sends), complete=False)
        sends.append(
            Send(
                cause=cause, patient=patient, number=number, step=step, delayed=delayed, at=at,
                subject=subjects.of(cause, step.id, patient.name),
            )
        )  # fmt: skip
    return Timeline(cause=cause, patient=patient, sends=tuple(sends), complete=True)


def steps(
    plan: sequences.Plan, cause: str, *, timezone: str, confirmed_at: datetime
) -> Iterator[tuple[sequences.Step, datetime, datetime]]:
    """(step, due after its delay, due in the window) for a patient who confirms at
    `confirmed_at` and is sent each step when it is due: the daemon's planning calls."""
    sequence = plan.sequence(cause)
    if sequence is None:
        return
    zone = zoneinfo.ZoneInfo(timezone)
    window = plan.window
    sent: set[tuple[str, str]] = set()
    last: datetime | None = None
    planned = planning.next_step(
        sequence=sequence, sent=frozenset(), last_sent_at=None, enrolled_at=confirmed_at,
        tz=zone, window=window,
    )  # fmt: skip
    while planned is not None:
        step = sequence.step(planned.step_id)
        assert step is not None  # the planner plans only steps of the sequence
        yield step, planning.add_delay(last or confirmed_at, step.after, tz=zone), planned.due_at
        last = planned.due_at
        sent.add((cause, step.id))
        planned = planning.plan(
            sequence=sequence, sent=planning.done_steps(plan, sequence, frozenset(sent)),
            last_sent_at=last, enrolled_at=last, tz=zone, window=window, subscriber_active=True,
        )  # fmt: skip


class _Subjects:
    """Each step's subject as a sample patient reads it (the first name filled in by compose,
    the one place personal values enter an email); a step that cannot be rendered shows the
    subject as written, since `drip check` tells what is wrong with it."""

    def __init__(self, plan: sequences.Plan, renderer: rendering.Renderer) -> None:
        self.plan = plan
        self.renderer = renderer
        self._seen: dict[tuple[str, str, str], str] = {}

    def of(self, cause: str, step_id: str, name: str) -> str:
        key = (cause, step_id, name)
        if key not in self._seen:
            self._seen[key] = self._subject(cause, step_id, name)
        return self._seen[key]

    def _subject(self, cause: str, step_id: str, name: str) -> str:
        try:
            rendered = self.renderer.step(cause, step_id)
            if "%%drip:" not in rendered.subject:
                return rendered.subject  # nothing personal in it: every patient reads the same
            message = rendering.compose(
                rendered,
                clinic=self.plan.clinic,
                recipient=rendering.Recipient(
                    email=rendering.SAMPLE_RECIPIENT.email, first_name=name
                ),
                links=rendering.sample_links(self.plan.clinic.base_url),
                message_id=rendering.message_id("simulate", domain="drip.invalid"),
                date=check_emails.SAMPLE_DATE,
            )
        except errors.DripError:
            sequence = self.plan.sequence(cause)
            step = sequence.step(step_id) if sequence else None
            return step.subject if step else ""
        return shown.text(message, "Subject")
