"""The patient-facing part of sequences.yaml: causes, and one sequence of steps per cause."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from datetime import timedelta

from drip import content, sequences
from drip.sequences_yaml import _containers, _identity, _located, _scalars, _settings

_q = _located.quote


def causes(
    doc: _located.Doc, value: _located.Value
) -> dict[str, tuple[sequences.Cause, _located.Value]]:
    """The declared causes by slug, in the form's order, each with where its slug is written."""
    declared: dict[str, tuple[sequences.Cause, _located.Value]] = {}
    listed = _containers.items(doc, value, hint="one `- slug: …` / `label: …` entry per cause")
    if value.is_list and not listed:
        doc.report(value, "no causes: list at least one, each with a slug and a label")
    for item in listed:
        found = _containers.fields(doc, item, required=("slug", "label"))
        if "slug" not in found:
            continue
        slug = _scalars.slug(doc, found["slug"], what="cause")
        label = _scalars.one_line(doc, found["label"]) if "label" in found else ""
        if not _scalars.is_slug(slug):
            continue  # already reported; "has no sequence" would only repeat it
        if slug in declared:
            first = declared[slug][1].line
            doc.report(
                found["slug"],
                f"cause {_q(slug)} is declared twice (first at line {first}): keep only one",
            )
        else:
            declared[slug] = (sequences.Cause(slug=slug, label=label), found["slug"])
    return declared


def all_sequences(
    doc: _located.Doc,
    value: _located.Value,
    *,
    declared: dict[str, tuple[sequences.Cause, _located.Value]],
    article: content.Article | None,
    templates: Collection[str] | None,
) -> dict[str, sequences.Sequence]:
    """Every sequence by cause slug; each must match a declared cause, and the reverse."""
    result: dict[str, sequences.Sequence] = {}
    for cause, child in _containers.entries(doc, value):
        if cause not in declared:
            hint = _located.suggest(cause, list(declared))
            doc.report(
                child.key_value,
                f"sequence for {_q(cause)}, which is not a slug under causes{hint}: "
                "declare the cause under causes, or rename the sequence",
            )
        result[cause] = sequences.Sequence(
            cause=cause,
            steps=_steps(
                doc,
                child,
                article=article,
                templates=templates,
                causes=[c for c, _ in declared.values()],
            ),
        )
    if value.is_mapping:
        for cause, (_, at) in declared.items():
            if cause not in result:
                doc.report(
                    at, f"cause {_q(cause)} has no sequence: add sequences.{cause} with its steps"
                )
    return result


def _steps(
    doc: _located.Doc,
    value: _located.Value,
    *,
    article: content.Article | None,
    templates: Collection[str] | None,
    causes: list[sequences.Cause],
) -> tuple[sequences.Step, ...]:
    found = _containers.fields(doc, value, required=("steps",))
    if "steps" not in found:
        return ()
    listed = _containers.items(doc, found["steps"], hint="one `- id: …` entry per step")
    if found["steps"].is_list and not listed:
        doc.report(found["steps"], "a sequence needs at least one step: add one under steps")
    steps: list[sequences.Step] = []
    first_seen: dict[str, int] = {}
    for item in listed:
        step, id_value = _step(doc, item, article=article, templates=templates, causes=causes)
        if id_value is not None and step.id in first_seen:
            doc.report(
                id_value,
                f"step id {_q(step.id)} is used twice in this sequence (first at line "
                f"{first_seen[step.id]}): give each step its own id",
            )
        elif id_value is not None and step.id:
            first_seen[step.id] = id_value.line
        steps.append(step)
    return tuple(steps)


def _step(
    doc: _located.Doc,
    value: _located.Value,
    *,
    article: content.Article | None,
    templates: Collection[str] | None,
    causes: list[sequences.Cause],
) -> tuple[sequences.Step, _located.Value | None]:
    """The step, and where its id is written (None when it has none)."""
    found = _containers.fields(
        doc,
        value,
        required=("id", "after", "template", "subject"),
        optional=("preheader", "content", "lead", "body", "cta"),
    )
    id_value, after, template, subject = (
        found.get(key) for key in ("id", "after", "template", "subject")
    )
    step = sequences.Step(
        id=_scalars.slug(doc, id_value, what="step id") if id_value else "",
        after=_scalars.delay(doc, after) if after else timedelta(0),
        template=_settings.template_name(doc, template, templates) if template else "",
        subject=_scalars.subject(doc, subject) if subject else "",
        preheader=_containers.text(doc, found["preheader"], empty_ok=True)
        if "preheader" in found
        else "",
        content=_content(doc, found["content"], article) if "content" in found else (),
        lead=_prose(doc, found["lead"]) if "lead" in found else "",
        body=_containers.text(doc, found["body"]).strip() if "body" in found else "",
        cta=_identity.cta(doc, found["cta"]) if "cta" in found else None,
    )
    if subject is not None:
        _cause_free(doc, subject, step.subject, causes, what="subjects are email headers")
    if "preheader" in found:
        _cause_free(
            doc, found["preheader"], step.preheader, causes, what="preheaders show on lock screens"
        )
    return step, id_value


def _prose(doc: _located.Doc, value: _located.Value) -> str:
    """A step's lead: one paragraph of plain text (a folded `>` block is fine)."""
    raw = _containers.text(doc, value).strip()
    if "\n\n" in raw:
        doc.report(
            value,
            "the lead is more than one paragraph: keep it to a sentence or two, and put longer "
            "text in the step's body",
        )
    return " ".join(raw.split())


def _cause_free(
    doc: _located.Doc,
    value: _located.Value,
    line: str,
    causes: list[sequences.Cause],
    *,
    what: str,
) -> None:
    """A subject is an email header, seen by mail servers; subject and preheader both show on
    a phone's lock screen. A patient's pain cause is health data and never goes there
    (docs/architecture.md); the body may name it. (Jinja in them gets no `cause` either: see
    rendering.)"""
    field = what.split()[0].removesuffix("s")
    cause = sequences.named_cause(line, causes)
    if cause is not None:
        doc.report(
            value,
            f"the {field} names the cause {_q(cause.slug)}: {what} and a patient's cause "
            "is health data; say it in the email's body instead",
        )


def _content(
    doc: _located.Doc, value: _located.Value, article: content.Article | None
) -> tuple[str, ...]:
    refs: list[str] = []
    for item in _containers.items(doc, value, hint="a list of slugs, e.g. [back-spasms/intro]"):
        ref = _containers.text(doc, item).strip()
        if ref and article is not None and article.find(ref) is None:
            doc.report(item, f"no section or item {_q(ref)} in the article{_hint(ref, article)}")
        refs.append(ref)
    return tuple(refs)


def _hint(ref: str, article: content.Article) -> str:
    close = _closest_slug(ref, article)
    if close:
        return f" (did you mean {_q(close)}?)"
    section = article.find(ref.rpartition("/")[0])
    if isinstance(section, content.Section) and section.items:
        names = ", ".join(item.slug.rpartition("/")[2] for item in section.items)
        return f": the items of {_q(section.slug)} are {names}"
    return f": use a slug of the article, e.g. {_q(article.slugs()[0])}" if article.slugs() else ""


def _closest_slug(ref: str, article: content.Article) -> str | None:
    """The slug most likely meant, an item before a section (a section would put all of its
    items in one email): the same last part (`rest` → `…/treatments/rest`), then an item whose
    name holds the words (`ice` → `…/heat-and-ice`), then the closest spelling."""
    items = [item.slug for section in article.sections for item in section.items]
    sections = [section.slug for section in article.sections]
    tail = ref.rpartition("/")[2]
    for slugs in (items, sections):
        same = [slug for slug in slugs if slug.rpartition("/")[2] == tail]
        if same:
            return same[0]
    words = set(tail.split("-"))
    holding = [slug for slug in items if words <= set(slug.rpartition("/")[2].split("-"))]
    if holding:
        return holding[0]
    tails = {slug.rpartition("/")[2]: slug for slug in reversed(items)}
    by_tail = next((tails[t] for t in difflib.get_close_matches(tail, list(tails), n=1)), None)
    if ref.rpartition("/")[0] in sections:  # shaped like an item: never a whole section
        return by_tail
    close = difflib.get_close_matches(ref, items + sections, n=1)
    return close[0] if close else by_tail
