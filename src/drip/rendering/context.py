"""What a template, a subject and a preheader may use: the values, and their names.

    everywhere   clinic, signature, contact, article, topic, booking_url, series,
                 subscriber (placeholders), links (placeholders)
    templates    also cause, blocks, step, cta, is_first, is_last

`names(context)` lists the dotted names a context offers (`clinic.logo.alt`, …): `drip check`
suggests from them, and the README lists them (a test keeps the two the same).
"""

from __future__ import annotations

import collections
import dataclasses
import re
import typing
from datetime import timedelta
from typing import Any

from drip import content, sequences
from drip.rendering import model

# Context values that differ per patient: the template sees placeholders, `compose` fills them.
SUBSCRIBER = {
    "first_name": model.placeholder(model.FIRST_NAME),
    "greeting": model.placeholder(model.GREETING),
}
LINKS = {
    "unsubscribe": model.placeholder(model.UNSUBSCRIBE),
    "preferences": model.placeholder(model.PREFERENCES),
}
CONFIRM_LINKS = {**LINKS, "confirm": model.placeholder(model.CONFIRM)}
DEFAULT_CTA = "Book a visit"
# What a step's template has beyond the shared values: never in a subject or a preheader.
STEP_ONLY = frozenset({"cause", "blocks", "step", "cta", "is_first", "is_last"})


def shared(plan: sequences.Plan, article: content.Article, topic: str) -> dict[str, Any]:
    """The values every email, subject and preheader may use: the same for every patient."""
    clinic = plan.clinic
    return {
        "clinic": clinic,
        "signature": signature(clinic, article),
        "contact": contact(clinic),
        "article": {"title": article.title, "author": article.author or ""},
        "subscriber": dict(SUBSCRIBER),
        "links": dict(LINKS),
        "booking_url": clinic.booking_url,
        "topic": topic,
        "series": series(plan),
    }


def signature(clinic: sequences.Clinic, article: content.Article) -> dict[str, str]:
    """Who signs: `clinic.signature`, else the article's author; `name` is "" when neither."""
    if clinic.signature is not None:
        return {"name": clinic.signature.name, "role": clinic.signature.role}
    return {"name": article.author or "", "role": ""}


def contact(clinic: sequences.Clinic) -> dict[str, str]:
    """The phone and website as links: `tel:` digits, and the website without its scheme."""
    digits = re.sub(r"[^\d+]", "", clinic.phone)
    shown = re.sub(r"^https?://(www\.)?", "", clinic.website).rstrip("/")
    return {
        "phone": clinic.phone,
        "phone_href": f"tel:{digits}" if digits else "",
        "website": clinic.website,
        "website_label": shown,
    }


def series(plan: sequences.Plan) -> dict[str, str]:
    """What a patient will get and how often, in words, over every sequence: `emails` ("7", or
    "5 to 7"), `span` ("2 weeks", the longest, rounded) and `every` ("2 days", the usual
    delay between two emails)."""
    counts = sorted({len(s.steps) for s in plan.sequences.values()}) or [0]
    spans = [sum((step.after for step in s.steps), timedelta()) for s in plan.sequences.values()]
    delays = collections.Counter(
        step.after for s in plan.sequences.values() for step in s.steps[1:]
    )
    emails = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
    every = delays.most_common(1)[0][0] if delays else timedelta()
    return {
        "emails": emails,
        "span": _rounded(max(spans, default=timedelta())),
        "every": _say(every),
    }


def _rounded(span: timedelta) -> str:
    weeks = round(span / timedelta(weeks=1))
    return f"{weeks} weeks" if weeks >= 2 else _say(span)


def _say(delay: timedelta) -> str:
    """`timedelta(days=2)` → "2 days"; hours under a day, "1 day", "1 hour"."""
    if delay >= timedelta(days=1):
        days = round(delay / timedelta(days=1))
        return "1 day" if days == 1 else f"{days} days"
    hours = max(1, round(delay / timedelta(hours=1)))
    return "1 hour" if hours == 1 else f"{hours} hours"


def for_step(
    sequence: sequences.Sequence, index: int, cause: sequences.Cause, clinic: sequences.Clinic
) -> dict[str, Any]:
    """The values of one step's template beyond the shared ones (blocks are added by the
    renderer). `step.number` and `step.total` count the steps with this step's template: a
    tip is "Tip 2 of 5" among the tips, whatever comes before or after them."""
    step = sequence.steps[index]
    same = [s.id for s in sequence.steps if s.template == step.template]
    return {
        "cause": {
            "slug": cause.slug,
            "label": cause.label,
            "not_sure": cause.slug == sequences.NOT_SURE,
        },
        "is_first": index == 0,
        "is_last": index == len(sequence.steps) - 1,
        "cta": {
            "label": step.cta.label if step.cta else DEFAULT_CTA,
            "url": step.cta.url if step.cta else clinic.booking_url,
        },
        "step": {
            "id": step.id,
            "number": same.index(step.id) + 1,
            "total": len(same),
            "lead": step.lead,
        },
    }


def names(context: dict[str, Any]) -> list[str]:
    """Every dotted name `context` offers, sorted: dicts by their keys, drip's frozen values by
    their fields (an optional one, such as `clinic.logo`, by its type's fields)."""
    found: list[str] = []
    for key, value in context.items():
        found.extend(_names(key, value, type(value)))
    return sorted(found)


def _names(prefix: str, value: Any, kind: Any) -> list[str]:
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _names(f"{prefix}.{k}", v, type(v))]
    cls = _dataclass_of(kind)
    if cls is None or isinstance(value, list):
        return [prefix]
    hints = typing.get_type_hints(cls)
    return [
        n
        for f in dataclasses.fields(cls)
        for n in _names(f"{prefix}.{f.name}", getattr(value, f.name, None), hints[f.name])
    ]


def _dataclass_of(kind: Any) -> type | None:
    """The dataclass `kind` is, or the one in `X | None`."""
    for candidate in (kind, *typing.get_args(kind)):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None
