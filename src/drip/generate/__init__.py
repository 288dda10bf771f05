"""Propose a first `sequences.yaml` from an article: `drip generate ARTICLE`.

One sequence per cause the article lists, plus "I'm not sure": a welcome, one tip per listed
treatment (relevance to the cause first, then conservative care before invasive care) and a
closing. An article that lists no causes gets no invented ones: `propose` raises `NoCauses`,
unless `single` asks for one general sequence; one with nothing to make tips of raises
`NoTips`. The YAML is written as text so that every
comment lands where the marketer needs it; every string that is not a plain slug is written as
a JSON string, which is also a valid YAML double-quoted scalar.

Pure: an Article in, YAML text out, byte-identical for the same article. The package:

    drip.generate            propose(): the file, from its blocks; proposal(): its sequences
    drip.generate.steps      the sequences and steps of the proposal
    drip.generate.relevance  rank_treatments(): which treatment fits which cause, and why
    drip.generate.care       how conservative a treatment is, from the article's words
    drip.generate.ordering   the order of the tips, and the reason for each place
    drip.generate.yamltext   safe YAML scalars, subjects, preheaders, the commented blocks
"""

from __future__ import annotations

from dataclasses import dataclass

from drip import content, errors, sequences, topics
from drip.generate import relevance, steps, yamltext

# The ranking lives in drip.generate.relevance; these names are the generator's public surface too.
Ranked = relevance.Ranked
rank_treatments = relevance.rank_treatments

CONFIRM = "confirm.mjml.j2"
NOT_SURE_LABEL = steps.NOT_SURE_LABEL

PLACEHOLDER_CLINIC = sequences.Clinic(
    name="Your Clinic",
    from_address="Your Clinic <tips@clinic.example>",
    reply_to=None,
    postal_address="Street, City, Postcode, Country",
    booking_url="https://clinic.example/book",
    base_url="https://tips.clinic.example",
    timezone="America/New_York",
)


class NoCauses(errors.ArticleError):
    """The article lists no causes, so there is no sequence per cause to propose."""


class NoTips(errors.ArticleError):
    """The article has nothing to make tips of, so every sequence would be its welcome alone."""


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """What a proposal holds, before it is written: the topic and one sequence per cause
    (the general "I'm not sure" one last), each with its steps."""

    topic: str
    sequences: tuple[steps.Sequence, ...]


def proposal(article: content.Article, *, article_path: str, single: bool = False) -> Proposal:
    """The sequences `propose` writes; NoCauses as `propose` raises it."""
    about = topics.of(article)
    keys = [] if single else steps.cause_keys(article)
    if not keys and not single:
        general = steps.general(article, about, steps.Previews(causes=()))
        raise NoCauses(no_causes_message(article, article_path, tips=_has_tips([general])))
    declared = [sequences.Cause(slug=key, label=steps.label(cause)) for cause, key in keys]
    previews = steps.Previews(causes=tuple(declared))
    seqs = [steps.for_cause(article, about, cause, key, previews) for cause, key in keys]
    seqs.append(steps.general(article, about, previews))
    if not _has_tips(seqs):
        raise NoTips(no_tips_message(article_path))
    return Proposal(topic=about, sequences=tuple(seqs))


def _has_tips(seqs: list[steps.Sequence]) -> bool:
    return any(step.template == steps.TIP for seq in seqs for step in seq.steps)


def propose(
    article: content.Article,
    *,
    article_path: str,
    clinic: sequences.Clinic | None = None,
    single: bool = False,
) -> str:
    """The full text of a proposed sequences.yaml for `article`, comments included.

    `article_path` is written as the file's `article:` (relative to sequences.yaml); without
    `clinic`, placeholder values that pass `drip check` are written, marked `# EDIT:`. With
    `single`, one general sequence for every patient. Raises `NoCauses` when the article lists
    no causes and `single` is not set.
    """
    found = proposal(article, article_path=article_path, single=single)
    about, seqs = found.topic, found.sequences
    lines = [
        *yamltext.header(article_path, about, single=single),
        "version: 1",
        f"article: {yamltext.scalar(article_path)}",
        f"topic: {yamltext.quote(about)}    # what the emails call the condition; edit freely",
        *yamltext.clinic_block(clinic or PLACEHOLDER_CLINIC, placeholder=clinic is None),
        *yamltext.settings_block(about, (clinic or PLACEHOLDER_CLINIC).name, CONFIRM),
        *yamltext.causes_block([(s.cause, s.label) for s in seqs]),
        "sequences:",
    ]
    for seq in seqs:
        lines += steps.lines(seq)
    lines += yamltext.known_block(sorted(article.slugs()))
    return "\n".join(lines) + "\n"


def no_causes_message(article: content.Article, article_path: str, *, tips: bool = True) -> str:
    prose = bool(article.sections_with_role(content.Role.CAUSES))
    found = "its causes are only in running prose" if prose else "it names no causes as a list"
    said = (
        f"{article_path}: no list of causes found ({found}: list entries, sub-headings or one "
        "section per cause), and drip invents none. Add `causes:` and their sequences to "
        "sequences.yaml by hand"
    )
    if tips:
        return f"{said}, or one general sequence for every patient with `--single`. {_NOTHING}"
    return (
        f"{said}; `--single` would not help: the article has nothing to make tips of either "
        f"(no treatment or self-care step is listed, and no section is about treatment). {_NOTHING}"
    )


_NOTHING = "Nothing was written."


def no_tips_message(article_path: str) -> str:
    return (
        f"{article_path}: nothing to make tips of (no treatment or self-care step is listed, and "
        "no section is about treatment), so every sequence would be its welcome alone, and drip "
        "invents no tips. Write the tips into sequences.yaml by hand (a step's `body:` holds "
        f"your own text), or generate from an article that lists what helps. {_NOTHING}"
    )


def listed_treatments(article: content.Article) -> list[relevance.Entry]:
    """What the proposal makes tips of: the listed treatments and self-care steps."""
    return relevance.treatments(article)
