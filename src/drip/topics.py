"""What an article is about, as its emails name it: "back spasms", "whiplash", "sciatica".

Candidates are the runs of words of the title's main part (before a colon or a dash) and of
the headings that name a role ("Causes of Low Back Pain" → "low back pain"), without the words
that name a role or a kind of care ("causes", "treatments", "physical therapy", "guide").
Each candidate is scored by how often the article says it, times the square of its length in
words: the phrase the article keeps repeating wins, and a precise phrase said a few times
("back and neck pain") beats a word said everywhere ("pain"). Pure and deterministic.
"""

from __future__ import annotations

import re

from drip import content

FALLBACK = "your health"
MAX_WORDS = 4
# Words that say what a text does with the topic, not what the topic is.
_NOT_TOPIC_WORDS = """
    a an and the of for to in on with from by your our my at or how what why when which who is
    are can could be here stay without all about guide complete effectively treat treating
    treatment treatments cause causes causing reasons reason main symptoms symptom signs risk
    factors diagnosis prevention preventing management managing relief tips therapy physical
    chiropractic care services service understanding overview include includes options common
    other more best top quick help helps them it its you we they this that these conclusion
    intervention
"""
_NOT_TOPIC = frozenset(_NOT_TOPIC_WORDS.split())
# Sections whose headings greet, sell or close rather than name the condition.
_NOT_NAMING = (content.Role.INTRO, content.Role.CLOSING, content.Role.OTHER)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_MAIN = re.compile(r"\s*(?::|\s[–—-]\s|\|)\s*")


def of(article: content.Article) -> str:
    """The article's topic in lower case (acronyms kept), or FALLBACK when nothing names one."""
    texts = [_MAIN.split(article.title)[0]] if article.title else []
    texts += [s.title for s in article.sections if s.title and s.role not in _NOT_NAMING]
    candidates = {c for text in texts for c in _runs(text)}
    if not candidates:
        return FALLBACK
    said = _said(article)
    best = max(sorted(candidates), key=lambda c: (_count(said, c) * len(c.split()) ** 2, len(c)))
    return best if _count(said, best) else FALLBACK


def _runs(text: str) -> list[str]:
    """Every run of 1..MAX_WORDS topic words in `text` (`"Back and Neck Pain"` included)."""
    words = [w.strip("'’") for w in _WORD.findall(text.replace("&", " and "))]
    runs = []
    for start in range(len(words)):
        for end in range(start + 1, min(start + MAX_WORDS, len(words)) + 1):
            run = words[start:end]
            if run[0].lower() in _NOT_TOPIC or run[-1].lower() in _NOT_TOPIC:
                continue
            if any(w.lower() in _NOT_TOPIC and w.lower() != "and" for w in run):
                continue
            runs.append(" ".join(_lower(w) for w in run))
    return runs


def _lower(word: str) -> str:
    return word if word.isupper() and len(word) > 1 else word.lower()


def _said(article: content.Article) -> str:
    parts = [article.title]
    for section in article.sections:
        parts += [section.title, section.body]
        parts += [f"{i.title} {i.body}" for i in section.items]
    words = (" ".join(_WORD.findall(p.replace("&", " and "))).lower() for p in parts)
    return " " + " ".join(words) + " "


def _count(said: str, candidate: str) -> int:
    return said.count(f" {candidate.lower()} ")
