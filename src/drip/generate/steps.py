"""The sequences and steps of a proposal, and their YAML lines."""

from __future__ import annotations

from dataclasses import dataclass

from drip import content, sequences
from drip.generate import ordering, relevance, yamltext

WELCOME = "welcome.mjml.j2"
TIP = "tip.mjml.j2"
CLOSING = "closing.mjml.j2"
# A welcome right after confirmation, a tip every two days, the closing three days after the
# last tip: about two weeks for five tips, frequent enough to help, rare enough not to tire.
WELCOME_AFTER, TIP_AFTER, CLOSING_AFTER = "0m", "2d", "3d"
NOT_SURE_LABEL = "I'm not sure"
NO_LISTED_TREATMENTS = "the article lists no treatments: this section is about them"
Entry = relevance.Entry


@dataclass(frozen=True, kw_only=True)
class Step:
    id: str
    after: str
    template: str
    subject: str
    preheader: str
    content: tuple[str, ...]
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class Sequence:
    cause: str
    label: str
    steps: tuple[Step, ...]


NEUTRAL_PREHEADER = "A short read, chosen for what you told us."


@dataclass(frozen=True, kw_only=True)
class Previews:
    """Subjects and preheaders that name no cause (`drip check`'s rule: they show on lock
    screens, and a patient's cause is health data): the first sentence that names none."""

    causes: tuple[sequences.Cause, ...]

    def _free(self, text: str) -> bool:
        return sequences.named_cause(text, list(self.causes)) is None

    def preheader(self, body: str, *, fallback: str) -> str:
        """The body's first whole sentence that fits and names no cause (a preheader cut
        mid-sentence reads as pasted), else the first that names none, cut at a word."""
        said = yamltext.sentences(body)
        fits = [s for s in said[:3] if len(s) <= yamltext.PREHEADER_MAX and self._free(s)]
        if fits:
            return fits[0]
        candidates = [*said, fallback, NEUTRAL_PREHEADER]
        shown = (c for c in candidates if c and self._free(yamltext.truncate(c, 100)))
        return yamltext.truncate(next(shown), yamltext.PREHEADER_MAX)

    def subject(self, text: str, *, neutral: str) -> str:
        return yamltext.subject(text if self._free(text) else neutral)


def cause_keys(article: content.Article) -> list[tuple[Entry, str]]:
    """Each listed cause with its key: the slug tail, made unique (and never `not-sure`)."""
    taken = {sequences.NOT_SURE}
    return [
        (cause, yamltext.unique(cause.slug.rsplit("/", 1)[-1], taken))
        for cause in article.listed(content.Role.CAUSES)
    ]


def for_cause(
    article: content.Article, topic: str, cause: Entry, key: str, previews: Previews
) -> Sequence:
    welcome = Step(
        id="welcome",
        after=WELCOME_AFTER,
        template=WELCOME,
        # Never the cause in a subject or preheader: the subject is an email header, and both
        # show on a phone's lock screen (the cause is health data: docs/architecture.md).
        # The intro instead.
        subject=previews.subject(f"{yamltext.upper_first(topic)}: where to start",
                                 neutral="Where to start"),
        preheader=previews.preheader(
            _first_body(article, content.Role.INTRO), fallback=yamltext.upper_first(topic)
        ),
        content=(*_first_slug(article, content.Role.INTRO), cause.slug),
    )  # fmt: skip
    among = _treatments(article)
    ranked = relevance.rank_treatments(article, cause, among)
    tips = _tips(
        ordering.order(ranked), topic, previews, overall=False, fallback=not _listed(article)
    )
    closing = _closing(article, topic, previews)
    return Sequence(cause=key, label=label(cause), steps=(welcome, *tips, *closing))


def label(cause: Entry) -> str:
    """How the sign-up form shows a cause: its title in sentence case."""
    return yamltext.sentence_case(cause.title)


def general(article: content.Article, topic: str, previews: Previews) -> Sequence:
    """The "I'm not sure" sequence, which is also the one general sequence of `--single`."""
    intro = _first_slug(article, content.Role.INTRO)
    causes = [s.slug for s in article.sections_with_role(content.Role.CAUSES)]
    overview = _first_body(article, content.Role.INTRO) or _first_body(article, content.Role.CAUSES)
    welcome = Step(
        id="welcome",
        after=WELCOME_AFTER,
        template=WELCOME,
        # The same welcome subject as every cause's: a subject of its own would tell the cause.
        subject=previews.subject(f"{yamltext.upper_first(topic)}: where to start",
                                 neutral="Where to start"),
        preheader=previews.preheader(overview, fallback=yamltext.upper_first(topic)),
        content=(*intro, *causes),
    )  # fmt: skip
    ranked = relevance.rank_overall(article, _treatments(article))
    tips = _tips(ordering.order(ranked, overall=True), topic, previews, overall=True,
                 fallback=not _listed(article),
                 measured=bool(article.listed(content.Role.CAUSES)))  # fmt: skip
    return Sequence(
        cause=sequences.NOT_SURE,
        label=NOT_SURE_LABEL,
        steps=(welcome, *tips, *_closing(article, topic, previews)),
    )


def _listed(article: content.Article) -> list[Entry]:
    return relevance.treatments(article)


def _treatments(article: content.Article) -> list[Entry]:
    """The listed treatments; when there are none, the sections about treatment, if any."""
    listed = _listed(article)
    if listed:
        return listed
    return [s for role in content.CARE_ROLES for s in article.sections_with_role(role) if s.body]


def _first_slug(article: content.Article, role: content.Role) -> list[str]:
    return [s.slug for s in article.sections_with_role(role)[:1]]


def _first_body(article: content.Article, role: content.Role) -> str:
    return next((s.body for s in article.sections_with_role(role) if s.body.strip()), "")


def _tips(
    tips: list[ordering.Tip],
    topic: str,
    previews: Previews,
    *,
    overall: bool,
    fallback: bool,
    measured: bool = True,
) -> list[Step]:
    taken = {"welcome", "closing"}
    steps = []
    for tip in tips:
        item = tip.ranked.item
        title = yamltext.sentence_case(item.title)
        comment = ordering.comment(tip, overall=overall, measured=measured)
        steps.append(
            Step(
                id=yamltext.unique(item.slug.rsplit("/", 1)[-1], taken),
                after=TIP_AFTER,
                template=TIP,
                # No position: the tips' order differs by cause, so "Tip 1: Heat and ice" would
                # tell which cause the patient gave. The body counts them ("Tip 1 of 5").
                subject=previews.subject(
                    f"{yamltext.upper_first(topic)}: {yamltext.lower_first(title)}",
                    neutral=f"A tip on {topic}",
                ),
                preheader=previews.preheader(item.body, fallback=title),
                content=(item.slug,),
                comment=f"{NO_LISTED_TREATMENTS}. {comment}" if fallback else comment,
            )
        )
    return steps


def _closing(article: content.Article, topic: str, previews: Previews) -> list[Step]:
    sections = article.sections_with_role(content.Role.CLOSING)
    if not sections:
        return []  # nothing to close with; the marketer can add a step
    return [
        Step(
            id="closing",
            after=CLOSING_AFTER,
            template=CLOSING,
            subject=previews.subject(
                f"{yamltext.upper_first(topic)}: your next step", neutral="Your next step"
            ),
            preheader=previews.preheader(sections[0].body, fallback=yamltext.upper_first(topic)),
            content=(sections[0].slug,),
        )
    ]


def lines(seq: Sequence) -> list[str]:
    found = [f"  {yamltext.scalar(seq.cause)}:", "    steps:"]
    for step in seq.steps:
        found += step_lines(step)
    return found


def step_lines(step: Step) -> list[str]:
    """A step as the proposal writes it, its comment above it, its "- " at column 6."""
    return [
        *(f"      # {line}" for line in yamltext.wrap_comment(step.comment)),
        f"      - id: {yamltext.scalar(step.id)}",
        f"        after: {step.after}",
        f"        template: {step.template}",
        f"        subject: {yamltext.quote(step.subject)}",
        f"        preheader: {yamltext.quote(step.preheader)}",
        f"        content: [{', '.join(yamltext.scalar(s) for s in step.content)}]",
    ]
