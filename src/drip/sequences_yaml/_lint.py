"""What a loaded plan can still get wrong: the problems and warnings `drip check` adds once
sequences.yaml has loaded, each at the line of the value to change.

    problems   the placeholders `drip generate` writes, left in the clinic block;
               a step that shows no content
    warnings   a subject over 78 characters; a step without a preheader; a delay under an
               hour (after the first step) or over 90 days; a subject or preheader that only
               one cause's sequence uses, which tells anyone who sees it the patient's cause
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from datetime import timedelta

from drip import durations, errors, sequences

MAX_SUBJECT_LINE = 78  # RFC 5322's line length; phones show about 40 characters
MIN_DELAY = timedelta(hours=1)
MAX_DELAY = timedelta(days=90)
_CLINIC_KEYS = {
    "name": "name",
    "from_address": "from",
    "postal_address": "postal_address",
    "booking_url": "booking_url",
    "base_url": "base_url",
}
_WHAT = {
    "name": "your clinic's name",
    "from_address": "the address the emails come from",
    "postal_address": "your clinic's street address (the law requires a real one)",
    "booking_url": "the page where patients book",
    "base_url": "where drip's web app answers",
}

Locate = Callable[[str], tuple[int, int] | None]


class Lint:
    """The problems and warnings found in one plan, each located by `locate(where)`."""

    def __init__(self, file: str, locate: Locate) -> None:
        self.file = file
        self.locate = locate
        self.problems: list[errors.Problem] = []
        self.warnings: list[errors.Problem] = []

    def add(self, found: list[errors.Problem], where: str, message: str) -> None:
        line, column = self.locate(where) or (1, 1)
        found.append(
            errors.Problem(file=self.file, line=line, column=column, where=where, message=message)
        )


def lint(
    plan: sequences.Plan, *, file: str, locate: Locate, placeholders: sequences.Clinic
) -> Lint:
    """Every finding of the module's docstring, in the plan's order."""
    found = Lint(file, locate)
    _placeholders(found, plan.clinic, placeholders)
    _subject_length(found, "confirmation.subject", plan.confirmation_subject)
    for cause, sequence in plan.sequences.items():
        for index, step in enumerate(sequence.steps):
            where = f"sequences.{cause}.steps[{index}]"
            _subject_length(found, f"{where}.subject", step.subject)
            _step(found, where, step, first=index == 0)
    _single_cause(found, plan, "subject")
    _single_cause(found, plan, "preheader")
    return found


def _placeholders(found: Lint, clinic: sequences.Clinic, placeholder: sequences.Clinic) -> None:
    for field, key in _CLINIC_KEYS.items():
        value = getattr(clinic, field)
        if value and value == getattr(placeholder, field):
            found.add(
                found.problems,
                f"clinic.{key}",
                f'"{value}" is the placeholder drip generate writes: put {_WHAT[field]} here '
                "before any email goes out",
            )


def _subject_length(found: Lint, where: str, subject: str) -> None:
    if len(subject) > MAX_SUBJECT_LINE:
        found.add(
            found.warnings,
            where,
            f"the subject is {len(subject)} characters long: phones show about the first 40, "
            f"and a header line over {MAX_SUBJECT_LINE} gets folded by mail servers; shorten it "
            f"to {MAX_SUBJECT_LINE} or fewer",
        )


def _step(found: Lint, where: str, step: sequences.Step, *, first: bool) -> None:
    if not step.content and not step.body:
        found.add(
            found.problems,
            where,
            "the step shows no content: list the parts of the article it carries under "
            "content: (drip ingest lists the slugs), or write its text under body:",
        )
    if not step.preheader.strip():
        found.add(
            found.warnings,
            where,
            "the step has no preheader: inboxes then show the email's first words (the "
            'clinic\'s name, "Hi Sam,") after the subject; add preheader: with one sentence '
            "that says what the email gives",
        )
    said = durations.format_duration(step.after)
    if not first and step.after < MIN_DELAY:
        found.add(
            found.warnings,
            f"{where}.after",
            f"after: {said} sends this step less than an hour after the one before: patients "
            "get two emails at once; wait an hour at least (e.g. 1d)",
        )
    if step.after > MAX_DELAY:
        found.add(
            found.warnings,
            f"{where}.after",
            f"after: {said} waits more than 90 days: patients forget they signed up and report "
            "the email as spam; send it sooner",
        )


def _single_cause(found: Lint, plan: sequences.Plan, field: str) -> None:
    """A line only one cause's sequence sends tells a mail server or a lock screen which cause
    the patient gave; said the same in every sequence, it tells nothing."""
    if len(plan.sequences) < 2:
        return
    users: dict[str, set[str]] = collections.defaultdict(set)
    for cause, sequence in plan.sequences.items():
        for step in sequence.steps:
            users[getattr(step, field)].add(cause)
    for cause, sequence in plan.sequences.items():
        for index, step in enumerate(sequence.steps):
            line = getattr(step, field)
            if line.strip() and users[line] == {cause}:
                found.add(
                    found.warnings,
                    f"sequences.{cause}.steps[{index}].{field}",
                    f'only the "{cause}" sequence sends this {field}, so it tells everyone who '
                    f"sees it (mail servers, a lock screen) the patient's cause: use the same "
                    f"{field} wherever this content is sent, or one that does not depend on the "
                    "cause",
                )
