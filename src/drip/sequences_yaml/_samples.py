"""`samples.yaml`: the sample patients the marketer's tools pretend to send to.

    patients:
      - id: no-name          # a slug: `drip send-test --patient no-name`, the preview's links
        name: ""             # the first name as a patient gives it; "" for none
        timezone: Europe/London
        causes: [not-sure]   # optional: the causes it stands for (default: every cause)
        about: "gave no first name"   # optional: shown in the preview

Read like sequences.yaml: every problem at its line, none of them stopping the reading.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from drip import contacts, errors
from drip.sequences_yaml import _containers, _located, _scalars

_EXAMPLES = {
    "patients": "a list of sample patients, each with an id, a name and a timezone",
    "id": "a short slug, e.g. id: no-name",
    "name": 'the first name as a patient gives it, e.g. name: "Sam" ("" for none)',
    "timezone": "e.g. timezone: Europe/London",
}


@dataclass(frozen=True, kw_only=True)
class Sample:
    """A made-up patient: who a preview, a simulation or a test send is for."""

    id: str
    name: str  # the first name, tidied as sign-up tidies it; "" when they gave none
    timezone: str  # IANA
    causes: tuple[str, ...] = ()  # the cause slugs it stands for; () for every cause
    about: str = ""

    def stands_for(self, cause: str) -> bool:
        return not self.causes or cause in self.causes


def load(text: str, *, file: str, causes: Collection[str] | None = None) -> tuple[Sample, ...]:
    """The sample patients in `text`; ContentError listing every problem, each at its line.

    Given `causes` (the slugs of sequences.yaml), a sample's causes are checked against them."""
    doc = _located.Doc(file)
    root = _located.parse(doc, text)
    if root is None:
        raise errors.ContentError(doc.problems)
    found = _containers.fields(doc, root, required=("patients",), examples=_EXAMPLES)
    samples: list[Sample] = []
    if "patients" in found:
        listed = _containers.items(doc, found["patients"], hint="one `- id: …` entry per patient")
        if found["patients"].is_list and not listed:
            doc.report(found["patients"], "no patients: list at least one")
        for item in listed:
            sample = _sample(doc, item, causes, taken={s.id: s for s in samples})
            if sample is not None:
                samples.append(sample)
    if doc.problems:
        raise errors.ContentError(doc.sorted_problems())
    return tuple(samples)


def _sample(
    doc: _located.Doc,
    item: _located.Value,
    causes: Collection[str] | None,
    *,
    taken: dict[str, Sample],
) -> Sample | None:
    found = _containers.fields(
        doc,
        item,
        required=("id", "name", "timezone"),
        optional=("causes", "about"),
        examples=_EXAMPLES,
    )
    sample_id = _scalars.slug(doc, found["id"], what="id") if "id" in found else ""
    if sample_id in taken:
        doc.report(found["id"], f"id {_located.quote(sample_id)} is used twice: make each unique")
    name = _name(doc, found["name"]) if "name" in found else ""
    if not {"id", "name", "timezone"} <= set(found):
        return None
    return Sample(
        id=sample_id,
        name=name,
        timezone=_scalars.timezone(doc, found["timezone"]),
        causes=_causes(doc, found["causes"], causes) if "causes" in found else (),
        about=_containers.text(doc, found["about"], empty_ok=True) if "about" in found else "",
    )


def _name(doc: _located.Doc, value: _located.Value) -> str:
    try:
        return contacts.first_name(_containers.text(doc, value, empty_ok=True))
    except errors.InvalidInput as exc:
        doc.report(value, f"{exc}: sign-up refuses such a name, so no patient has it")
        return ""


def _causes(
    doc: _located.Doc, value: _located.Value, known: Collection[str] | None
) -> tuple[str, ...]:
    listed = []
    for item in _containers.items(doc, value, hint="a list of cause slugs, e.g. [muscle-injury]"):
        slug = _scalars.slug(doc, item, what="cause")
        if known is not None and slug and slug not in known:
            hint = _located.suggest(slug, sorted(known)) or f" (one of: {', '.join(known)})"
            doc.report(item, f"{_located.quote(slug)} is not a cause of sequences.yaml{hint}")
        listed.append(slug)
    return tuple(listed)
