"""Propose a first `sequences.yaml` from an article: `drip generate ARTICLE`.

One sequence per cause of the article, plus "I'm not sure": a welcome, one tip per treatment
(most relevant to the cause first) and a closing. The YAML is written as text so that every
comment lands where the marketer needs it; every string that is not a plain slug is written as
a JSON string, which is also a valid YAML double-quoted scalar.

Pure: an Article in, YAML text out, byte-identical for the same article. The package:

    drip.generate            propose(): the sequences and steps of the proposal
    drip.generate.relevance  rank_treatments(): which treatment fits which cause, and why
    drip.generate.yamltext   safe YAML scalars, subjects, preheaders, the commented blocks
"""

from __future__ import annotations

from dataclasses import dataclass

from drip import content, sequences
from drip.generate import relevance, yamltext

# The ranking lives in drip.generate.relevance; these names are the generator's public surface too.
Ranked = relevance.Ranked
rank_treatments = relevance.rank_treatments

WELCOME = "welcome.mjml.j2"
TIP = "tip.mjml.j2"
CLOSING = "closing.mjml.j2"
CONFIRM = "confirm.mjml.j2"
# A welcome right after confirmation, a tip every two days, the closing three days after the
# last tip: about two weeks for five tips, frequent enough to help, rare enough not to tire.
WELCOME_AFTER, TIP_AFTER, CLOSING_AFTER = "0m", "2d", "3d"
NOT_SURE_LABEL = "I'm not sure"

PLACEHOLDER_CLINIC = sequences.Clinic(
    name="Your Clinic",
    from_address="Your Clinic <tips@clinic.example>",
    reply_to=None,
    postal_address="Street, City, Postcode, Country",
    booking_url="https://clinic.example/book",
    base_url="https://tips.clinic.example",
    timezone="America/New_York",
)


@dataclass(frozen=True, kw_only=True)
class _Step:
    id: str
    after: str
    template: str
    subject: str
    preheader: str
    content: tuple[str, ...]
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class _Sequence:
    cause: str
    label: str
    steps: tuple[_Step, ...]


def propose(
    article: content.Article, *, article_path: str, clinic: sequences.Clinic | None = None
) -> str:
    """The full text of a proposed sequences.yaml for `article`, comments included.

    `article_path` is written as the file's `article:` (relative to sequences.yaml); without
    `clinic`, placeholder values that pass `drip check` are written, marked `# EDIT:`.
    """
    topic = yamltext.topic(article.title)
    seqs = [_cause_sequence(article, topic, cause, key) for cause, key in _cause_keys(article)]
    seqs.append(_not_sure_sequence(article, topic))
    lines = [
        *yamltext.header(article_path, topic),
        "version: 1",
        f"article: {yamltext.scalar(article_path)}",
        *yamltext.clinic_block(clinic or PLACEHOLDER_CLINIC, placeholder=clinic is None),
        *yamltext.settings_block(topic, (clinic or PLACEHOLDER_CLINIC).name, CONFIRM),
        *yamltext.causes_block([(s.cause, s.label) for s in seqs]),
        "sequences:",
    ]
    for seq in seqs:
        lines += _sequence_lines(seq)
    return "\n".join(lines) + "\n"


def _cause_keys(article: content.Article) -> list[tuple[content.Item, str]]:
    """Each cause item with its key: the slug tail, made unique (and never `not-sure`)."""
    taken = {sequences.NOT_SURE}
    keys = []
    for item in article.items_with_role(content.Role.CAUSES):
        keys.append((item, yamltext.unique(item.slug.rsplit("/", 1)[-1], taken)))
    return keys


def _first_slug(article: content.Article, role: content.Role) -> list[str]:
    return [s.slug for s in article.sections_with_role(role)[:1]]


def _first_body(article: content.Article, role: content.Role) -> str:
    return next((s.body for s in article.sections_with_role(role) if s.body.strip()), "")


def _cause_sequence(
    article: content.Article, topic: str, cause: content.Item, key: str
) -> _Sequence:
    label = yamltext.sentence_case(cause.title)
    welcome = _Step(
        id="welcome",
        after=WELCOME_AFTER,
        template=WELCOME,
        # Never the cause in a subject or preheader: the subject is an email header, and both
        # show on a phone's lock screen (DESIGN.md: the cause is health data). The intro instead.
        subject=yamltext.subject(f"{topic}: where to start"),
        preheader=yamltext.preheader(_first_body(article, content.Role.INTRO), fallback=topic),
        content=(*_first_slug(article, content.Role.INTRO), cause.slug),
    )
    tips = _tips(relevance.rank_treatments(article, cause), overall=False)
    return _Sequence(cause=key, label=label, steps=(welcome, *tips, *_closing(article, topic)))


def _not_sure_sequence(article: content.Article, topic: str) -> _Sequence:
    intro = _first_slug(article, content.Role.INTRO)
    causes = [s.slug for s in article.sections_with_role(content.Role.CAUSES)]
    overview = _first_body(article, content.Role.INTRO) or _first_body(article, content.Role.CAUSES)
    welcome = _Step(
        id="welcome",
        after=WELCOME_AFTER,
        template=WELCOME,
        subject=yamltext.subject(f"{topic}: what may be causing yours"),
        preheader=yamltext.preheader(overview, fallback=topic),
        content=(*intro, *causes),
    )
    tips = _tips(relevance.rank_overall(article), overall=True)
    return _Sequence(
        cause=sequences.NOT_SURE,
        label=NOT_SURE_LABEL,
        steps=(welcome, *tips, *_closing(article, topic)),
    )


def _tips(ranked: list[relevance.Ranked], *, overall: bool) -> list[_Step]:
    taken = {"welcome", "closing"}
    steps = []
    for number, rank in enumerate(ranked, start=1):
        title = yamltext.sentence_case(rank.item.title)
        steps.append(
            _Step(
                id=yamltext.unique(rank.item.slug.rsplit("/", 1)[-1], taken),
                after=TIP_AFTER,
                template=TIP,
                subject=yamltext.subject(f"Tip {number}: {title}"),
                preheader=yamltext.preheader(rank.item.body, fallback=title),
                content=(rank.item.slug,),
                comment=_reason(rank, overall=overall),
            )
        )
    return steps


def _reason(rank: relevance.Ranked, *, overall: bool) -> str:
    kind = "mean relevance over all causes" if overall else "relevance"
    if not rank.shared_terms:
        return f"{kind} {rank.score:.3f}: no shared terms"
    return f"{kind} {rank.score:.3f}: shared terms {', '.join(rank.shared_terms)}"


def _closing(article: content.Article, topic: str) -> list[_Step]:
    sections = article.sections_with_role(content.Role.CLOSING)
    if not sections:
        return []  # nothing to close with; the marketer can add a step
    return [
        _Step(
            id="closing",
            after=CLOSING_AFTER,
            template=CLOSING,
            subject=yamltext.subject(f"{topic}: your next step"),
            preheader=yamltext.preheader(sections[0].body, fallback=topic),
            content=(sections[0].slug,),
        )
    ]


def _sequence_lines(seq: _Sequence) -> list[str]:
    lines = [f"  {yamltext.scalar(seq.cause)}:", "    steps:"]
    for step in seq.steps:
        if step.comment:
            lines.append(f"      # {step.comment}")
        lines += [
            f"      - id: {yamltext.scalar(step.id)}",
            f"        after: {step.after}",
            f"        template: {step.template}",
            f"        subject: {yamltext.quote(step.subject)}",
            f"        preheader: {yamltext.quote(step.preheader)}",
            f"        content: [{', '.join(yamltext.scalar(s) for s in step.content)}]",
        ]
    return lines
