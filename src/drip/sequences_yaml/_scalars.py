"""Checks for single values: slugs, addresses, URLs, time zones, times, delays, subjects.

Each reads one located value, reports what is wrong with it (and what to write instead), and
returns a usable default so reading can go on.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import time, timedelta
from urllib.parse import urlsplit

from drip import contacts, content, durations, sequences
from drip.sequences_yaml import _containers, _located

MAX_SUBJECT = 150
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

_q = _located.quote


def is_slug(text: str) -> bool:
    return bool(_SLUG.fullmatch(text))


def slug(doc: _located.Doc, value: _located.Value, *, what: str) -> str:
    """A lowercase key such as `heat-and-ice`."""
    raw = _containers.text(doc, value)
    if raw and not _SLUG.fullmatch(raw):
        doc.report(
            value,
            f"{what} {_q(raw)} is not a slug: use lowercase letters, digits and hyphens, "
            f"e.g. {_q(content.slugify(raw))}",
        )
    return raw


def one_line(doc: _located.Doc, value: _located.Value) -> str:
    """A non-empty value that goes into an email header, so without line breaks."""
    raw = _containers.text(doc, value)
    if "\n" in raw.rstrip("\n") or "\r" in raw:
        doc.report(value, f"{_q(raw)} contains a line break: keep it on one line")
    elif value.is_text and not raw.strip():
        doc.report(value, "this is empty: write a value")
    return raw.strip()


def subject(doc: _located.Doc, value: _located.Value) -> str:
    """An email subject: one line, not empty, at most MAX_SUBJECT characters."""
    raw = _containers.text(doc, value)
    if "\n" in raw or "\r" in raw:
        doc.report(
            value,
            f"the subject {_q(raw)} contains a line break: write it on one line "
            "(a line break in an email header would be refused)",
        )
    elif not raw.strip() and not value.is_empty:
        doc.report(value, "the subject is empty: write the line patients see in their inbox")
    elif len(raw) > MAX_SUBJECT:
        doc.report(
            value,
            f"the subject is {len(raw)} characters long: shorten it to {MAX_SUBJECT} or fewer "
            "(phones show about the first 40)",
        )
    return raw


def address(doc: _located.Doc, value: _located.Value) -> str:
    """`tips@clinic.example` or `"Clinic Name <tips@clinic.example>"`."""
    raw = one_line(doc, value)
    if raw:
        try:
            contacts.mailbox(raw)
        except contacts.BadAddress as exc:
            doc.report(
                value,
                f"{_q(raw)} is not an email address ({exc.reason}): write tips@clinic.example "
                'or "Clinic Name <tips@clinic.example>"',
            )
    return raw


def url(doc: _located.Doc, value: _located.Value) -> str:
    """An https:// URL (http:// only for localhost, for testing); no trailing slash."""
    raw = one_line(doc, value)
    parts = urlsplit(raw)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if raw and not ((parts.scheme == "https" and parts.hostname) or local):
        doc.report(
            value,
            f"{_q(raw)} is not an https:// URL: write e.g. https://clinic.example/book "
            "(http:// is allowed only for localhost, while testing)",
        )
    return raw.rstrip("/")


def timezone(doc: _located.Doc, value: _located.Value) -> str:
    """An IANA time zone name, e.g. `America/Chicago`."""
    raw = _containers.text(doc, value)
    if raw and raw not in _zones():
        hint = (
            _located.suggest(raw, sorted(_zones())) or " (write an IANA name, e.g. America/Chicago)"
        )
        doc.report(value, f"unknown time zone {_q(raw)}{hint}")
    return raw


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def day(doc: _located.Doc, value: _located.Value) -> int | None:
    """`mon` → 0 … `sun` → 6 (full names too, any case)."""
    raw = _containers.text(doc, value)
    name = raw.strip().lower()
    if name in DAYS or name in _FULL_DAYS:
        return DAYS.index(name[:3])
    if raw:
        doc.report(value, f"{_q(raw)} is not a day: use {', '.join(DAYS[:-1])} or sun")
    return None


def clock_time(doc: _located.Doc, value: _located.Value) -> time | None:
    """`"08:00"` → 08:00, in 24-hour HH:MM; `"24:00"` is the end of the day (for `end`)."""
    raw = _containers.text(doc, value)
    if raw.strip() == "24:00":
        return time.max
    match = _TIME.fullmatch(raw.strip())
    if match is None:
        if raw:
            doc.report(
                value,
                f'{_q(raw)} is not a time: write 24-hour HH:MM, e.g. "08:00" ("24:00": midnight, '
                "as an end)",
            )
        return None
    return time(int(match[1]), int(match[2]))


def delay(doc: _located.Doc, value: _located.Value) -> timedelta:
    """A step's delay: `2d`, `36h`, `90m`, `1d12h`, `0m`."""
    raw = _containers.text(doc, value)
    try:
        return durations.parse_duration(raw)
    except ValueError:
        if raw:
            doc.report(value, f"{_q(raw)} is not a duration ({durations.EXAMPLES})")
        return timedelta(0)


def cause_change(doc: _located.Doc, value: _located.Value) -> sequences.CauseChange:
    """switch | restart | ignore."""
    raw = _containers.text(doc, value)
    try:
        return sequences.CauseChange(raw)
    except ValueError:
        if raw:
            choices = ", ".join(c.value for c in sequences.CauseChange)
            doc.report(
                value,
                f"{_q(raw)} is not one of {choices}: switch moves the patient to the new "
                "cause's sequence, restart starts it from the beginning, ignore keeps the "
                "current one",
            )
        return sequences.CauseChange.SWITCH
