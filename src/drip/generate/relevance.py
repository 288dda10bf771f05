"""How relevant each treatment of an article is to each cause, from the article's own words.

Every text block of the article (each item, and each section with its own title or body) is a
document. Words are lowercased, stopwords dropped and suffixes stripped (`degeneration` →
`degener`, `discs` → `disc`); each stem is weighted by its inverse document frequency, so the
words the whole article is about ("back", "pain", "spasms") count little and the distinctive
ones ("disc", "vertebra", "inflamm") count a lot. The relevance of a treatment to a cause is the
cosine of their tf-idf vectors: 0 when they share no distinctive word, 1 when identical.

Pure and deterministic: same article, same floats, same order (ties keep the article's order).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from drip import content

MAX_SHARED_TERMS = 5

# A small English stopword list: function words, plus hedges common in health articles.
_STOPWORD_TEXT = """
    a about above additionally after again against all almost also although am an and any are as
    at be
    because been before being below between both but by can cannot could did do does doing done
    down during each either else even ever every few for from further get gets had has have
    having he her here hers herself him himself his how however i if in into is it its itself
    just least less like made make makes many may me might more most much must my myself near
    neither no nor not now of off often on once one only or other others our ours ourselves out
    over own per quite rather same several she should since so some such than that the their
    theirs them themselves then there these they this those though through thus to too under
    until up upon us use used uses using very via was we well were what whatever when where
    whether which while who whom whose why will with within without would yet you your yours
    yourself yourselves
    """
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# (suffix, replacement), longest first; the first that leaves a stem of 3+ letters wins.
_SUFFIXES = (
    ("ations", ""),
    ("ation", ""),
    ("ional", ""),
    ("ities", ""),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ings", ""),
    ("ions", ""),
    ("ies", ""),
    ("ing", ""),
    ("ion", ""),
    ("ity", ""),
    ("al", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("e", ""),
    ("s", ""),
    ("y", ""),
)
_MIN_STEM = 3
_WORD = re.compile(r"[a-z]+")


def stem(word: str) -> str:
    """A light suffix stripper: `degeneration` → `degener`, `discs` → `disc`, `spinal` → `spin`.

    One suffix at most is removed, so related forms meet (`injury`, `injuries`, `injured` →
    `injur`) without the over-stemming of a full Porter stemmer.
    """
    for suffix, replacement in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue  # "stress", "status", "crisis" are not plurals
        stem_ = word[: len(word) - len(suffix)] + replacement
        if len(stem_) >= _MIN_STEM:
            return stem_
    return word


def terms(text: str) -> list[str]:
    """The stems of a text, in order: lowercased words, stopwords dropped, stemmed."""
    words = _WORD.findall(text.lower())
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


Entry = content.Item | content.Section  # a listed treatment or cause: an item, or a section


@dataclass(frozen=True, kw_only=True)
class Ranked:
    """A treatment, its relevance (0..1) and the stems behind it, highest weight first."""

    item: Entry
    score: float
    shared_terms: tuple[str, ...]


def _documents(article: content.Article) -> list[str]:
    docs = [f"{s.title}\n{s.body}" for s in article.sections if s.title or s.body]
    docs += [f"{i.title}\n{i.body}" for s in article.sections for i in s.items]
    return docs


def _idf(article: content.Article) -> dict[str, float]:
    docs = [set(terms(d)) for d in _documents(article)]
    df = Counter(stem_ for d in docs for stem_ in d)
    # ln(N/df): a stem in every document weighs 0, one in a single document weighs most.
    return {stem_: math.log(len(docs) / n) for stem_, n in sorted(df.items())}


def _vector(item: Entry, idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms(f"{item.title}\n{item.body}"))
    # 1 + ln(count): a word said four times counts more than once, but not four times more.
    return {t: (1 + math.log(n)) * idf.get(t, 0.0) for t, n in sorted(counts.items())}


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def _contributions(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """Each shared stem's share of the cosine of `a` and `b`; the values sum to the cosine."""
    denominator = _norm(a) * _norm(b)
    if not denominator:
        return {}
    shared = {t: a[t] * b[t] / denominator for t in sorted(a.keys() & b.keys())}
    return {t: w for t, w in shared.items() if w > 0}


def _ranked(item: Entry, contributions: dict[str, float]) -> Ranked:
    ordered = sorted(contributions, key=lambda t: (-contributions[t], t))
    return Ranked(
        item=item,
        score=math.fsum(contributions.values()),
        shared_terms=tuple(ordered[:MAX_SHARED_TERMS]),
    )


def _by_score(ranked: list[Ranked]) -> list[Ranked]:
    # Scores equal but for float rounding (terms summed in another order) are ties, and
    # sorted() is stable: ties keep the article's order.
    return sorted(ranked, key=lambda r: -round(r.score, 9))


def treatments(article: content.Article) -> list[Entry]:
    """What the article lists as treatments, self-care included, in the article's order."""
    listed = {e.slug: e for role in content.CARE_ROLES for e in article.listed(role)}
    return [listed[slug] for slug in article.slugs() if slug in listed]


def rank_treatments(
    article: content.Article, cause: Entry, among: list[Entry] | None = None
) -> list[Ranked]:
    """Every treatment (or those `among`), most relevant to `cause` first (ties keep the
    article's order)."""
    idf = _idf(article)
    target = _vector(cause, idf)
    treatments_ = treatments(article) if among is None else among
    ranked = [_ranked(t, _contributions(target, _vector(t, idf))) for t in treatments_]
    return _by_score(ranked)


def rank_overall(article: content.Article, among: list[Entry] | None = None) -> list[Ranked]:
    """Every treatment by its mean relevance over all causes, for "I'm not sure".

    Its shared terms are those with the highest mean weight across the causes. With no cause
    at all every score is 0 and the article's order is kept.
    """
    idf = _idf(article)
    causes = [_vector(c, idf) for c in article.listed(content.Role.CAUSES)]
    ranked = []
    for item in treatments(article) if among is None else among:
        vector = _vector(item, idf)
        total: dict[str, float] = {}
        for cause in causes:
            for term, weight in _contributions(cause, vector).items():
                total[term] = total.get(term, 0.0) + weight
        mean = {t: w / len(causes) for t, w in sorted(total.items())} if causes else {}
        ranked.append(_ranked(item, mean))
    return _by_score(ranked)
