"""The settings part of sequences.yaml: version, clinic, send_window, confirmation."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from datetime import time

from drip import sequences
from drip.sequences_yaml import _containers, _identity, _located, _scalars

VERSION = 1
TOP_LEVEL_REQUIRED = ("version", "article", "clinic", "confirmation", "causes", "sequences")
TOP_LEVEL_OPTIONAL = ("topic", "send_window", "on_cause_change")
MAX_TOPIC = 60
DEFAULT_WINDOW = sequences.SendWindow(days=frozenset(range(7)), start=time(8, 0), end=time(20, 0))

_q = _located.quote
_Check = Callable[[_located.Doc, _located.Value], str]


def version(doc: _located.Doc, value: _located.Value) -> None:
    raw = _containers.text(doc, value)
    if raw and raw != str(VERSION):
        doc.report(
            value,
            f"version {_q(raw)} is not supported: this drip reads version {VERSION} "
            f"(write version: {VERSION})",
        )


def clinic(doc: _located.Doc, value: _located.Value) -> sequences.Clinic:
    found = _containers.fields(
        doc,
        value,
        required=("name", "from", "postal_address", "booking_url", "base_url", "timezone"),
        optional=("reply_to", "logo", "phone", "website", "signature", "accent"),
    )

    def read(key: str, check: _Check) -> str:
        return check(doc, found[key]) if key in found else ""

    return sequences.Clinic(
        name=read("name", _scalars.one_line),
        from_address=read("from", _scalars.address),
        reply_to=read("reply_to", _scalars.address) or None,
        postal_address=read("postal_address", _text),
        booking_url=read("booking_url", _scalars.url),
        base_url=read("base_url", _scalars.url),
        timezone=read("timezone", _scalars.timezone),
        logo=_identity.logo(doc, found["logo"]) if "logo" in found else None,
        phone=read("phone", _identity.phone),
        website=read("website", _scalars.url),
        signature=_identity.signature(doc, found["signature"]) if "signature" in found else None,
        accent=_identity.accent(doc, found["accent"])
        if "accent" in found
        else sequences.DEFAULT_ACCENT,
    )


def _text(doc: _located.Doc, value: _located.Value) -> str:
    return _containers.text(doc, value).strip()


def topic(doc: _located.Doc, value: _located.Value) -> str:
    """What the emails call the condition: a few words on one line ("back spasms")."""
    raw = _scalars.one_line(doc, value)
    if len(raw) > MAX_TOPIC:
        doc.report(
            value,
            f"the topic is {len(raw)} characters long: name the condition in a few words "
            f'(at most {MAX_TOPIC}), as in "tips about back spasms"',
        )
    elif "{" in raw or "}" in raw:
        doc.report(value, f"{_q(raw)} has a brace: write the condition's name as plain words")
    return raw


def send_window(doc: _located.Doc, value: _located.Value | None) -> sequences.SendWindow:
    """The days and hours sending is allowed; every day 08:00-20:00 when absent."""
    if value is None:
        return DEFAULT_WINDOW
    found = _containers.fields(
        doc, value, required=("days", "start", "end"), optional=("first_step",)
    )
    days = _days(doc, found["days"]) if "days" in found else DEFAULT_WINDOW.days
    start = _scalars.clock_time(doc, found["start"]) if "start" in found else None
    end = _scalars.clock_time(doc, found["end"]) if "end" in found else None
    if start is not None and end is not None and start >= end:
        doc.report(
            found["end"],
            f"the window ends at {end:%H:%M}, not after it starts ({start:%H:%M}): make end "
            "later than start (a window cannot cross midnight)",
        )
    return sequences.SendWindow(
        days=days,
        start=start or DEFAULT_WINDOW.start,
        end=end or DEFAULT_WINDOW.end,
        first_step_at_once=_first_step(doc, found["first_step"])
        if "first_step" in found
        else False,
    )


def _first_step(doc: _located.Doc, value: _located.Value) -> bool:
    """`in-window` (the default) or `at-once`."""
    raw = _containers.text(doc, value)
    if raw not in ("in-window", "at-once"):
        doc.report(
            value,
            f"{_q(raw)} is not in-window or at-once: in-window waits for the send window like "
            "every step, at-once sends the first step right after confirmation",
        )
    return raw == "at-once"


def _days(doc: _located.Doc, value: _located.Value) -> frozenset[int]:
    days: set[int] = set()
    listed = _containers.items(doc, value, hint="e.g. [mon, tue, wed, thu, fri]")
    for item in listed:
        number = _scalars.day(doc, item)
        if number in days:
            doc.report(item, f"{_q(_scalars.DAYS[number])} is listed twice: remove one")
        elif number is not None:
            days.add(number)
    if value.is_list and not listed:
        doc.report(value, "no sending days: list at least one, e.g. [mon, tue, wed, thu, fri]")
    return frozenset(days)


def confirmation(
    doc: _located.Doc, value: _located.Value, templates: Collection[str] | None
) -> tuple[str, str]:
    """(template, subject) of the double opt-in email."""
    found = _containers.fields(doc, value, required=("template", "subject"))
    template = template_name(doc, found["template"], templates) if "template" in found else ""
    subject = _scalars.subject(doc, found["subject"]) if "subject" in found else ""
    return template, subject


def template_name(
    doc: _located.Doc, value: _located.Value, templates: Collection[str] | None
) -> str:
    """A template file under templates/emails/; checked against `templates` when given."""
    name = _containers.text(doc, value)
    if not name:
        return name
    if name.startswith("/") or ".." in name.split("/"):
        doc.report(
            value, f"{_q(name)} leaves templates/emails/: write a file name such as tip.mjml.j2"
        )
    elif templates is not None and name not in templates:
        close = difflib.get_close_matches(name, sorted(templates), n=1)
        advice = f"did you mean {_q(close[0])}? " if close else ""
        available = ", ".join(sorted(templates)) or "none, the folder is empty"
        doc.report(
            value,
            f"template {_q(name)} is not in templates/emails/: {advice}(available: {available})",
        )
    return name
