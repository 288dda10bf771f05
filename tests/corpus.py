"""Where the corpus of real clinic articles is, and the outlines written for it by hand.

The corpus is not copied into the project: it lives in `../shared/corpus/` beside the
repository (`DRIP_CORPUS` points elsewhere). Tests that need it skip with the reason when it
is absent, unless DRIP_REQUIRE_CORPUS=1 (CI), where they fail.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from drip import content

REPO = Path(__file__).resolve().parents[1]
OUTLINES = REPO / "tests" / "fixtures" / "outlines"


def folder() -> Path:
    """The corpus folder: $DRIP_CORPUS, else ../shared/corpus beside the repository."""
    given = os.environ.get("DRIP_CORPUS")
    return Path(given) if given else REPO.parent / "shared" / "corpus"


def require() -> Path:
    """The corpus folder; skips the test (fails it when DRIP_REQUIRE_CORPUS=1) if it is absent."""
    where = folder()
    if not where.is_dir():
        reason = f"the corpus is not at {where}: set DRIP_CORPUS to the folder of shared/corpus"
        if os.environ.get("DRIP_REQUIRE_CORPUS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return where


@dataclass(frozen=True, kw_only=True)
class Section:
    title: str
    roles: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Outline:
    """One hand-made outline (tests/fixtures/outlines/*.yaml, described in its README)."""

    name: str
    source: str
    title: str
    topic: str
    sections: tuple[Section, ...]
    causes: tuple[str, ...]
    treatments: tuple[str, ...]

    def path(self) -> Path:
        """The corpus article (or fragments folder); skips when the corpus is absent."""
        return require() / self.source


def outlines() -> list[Outline]:
    found = []
    for file in sorted(OUTLINES.glob("*.yaml")):
        data = YAML(typ="safe").load(file.read_text(encoding="utf-8"))
        found.append(Outline(
            name=file.stem,
            source=data["source"],
            title=data["title"],
            topic=data["topic"],
            sections=tuple(
                Section(title=s["title"], roles=tuple(s["roles"])) for s in data["sections"]
            ),
            causes=tuple(data["causes"]),
            treatments=tuple(data["treatments"]),
        ))  # fmt: skip
    return found


# --- scoring: the listed causes and treatments drip finds, against an outline ---------------


def key(title: str) -> str:
    """A title as compared: its words, lowercased, `&` read as "and", no apostrophes."""
    return content.slugify(title.replace("’", "'").replace("‘", "'").replace("'", ""))


def same_item(found: str, expected: str) -> bool:
    """Whether drip's title names the outline's item: the same words; or one title runs on from
    the other at a word boundary ("Physiotherapy" / "Physiotherapy to relieve muscle spasm");
    or the same letters, for words a scraper glued together ("kidney infectionorkidney")."""
    a, b = key(found), key(expected)
    if a == b or a.startswith(f"{b}-") or b.startswith(f"{a}-"):
        return True
    return a.replace("-", "") == b.replace("-", "")


@dataclass(frozen=True, kw_only=True)
class Score:
    found: int  # items drip lists
    expected: int  # items the outline lists
    matched: int  # found items that match an expected one (each expected one matched once)
    extra: tuple[str, ...]  # found, not expected
    missed: tuple[str, ...]  # expected, not found

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            found=self.found + other.found,
            expected=self.expected + other.expected,
            matched=self.matched + other.matched,
            extra=self.extra + other.extra,
            missed=self.missed + other.missed,
        )


def score(found: list[str], expected: tuple[str, ...]) -> Score:
    left = list(expected)
    extra = []
    for title in found:
        match = next((e for e in left if same_item(title, e)), None)
        if match is None:
            extra.append(title)
        else:
            left.remove(match)
    return Score(
        found=len(found),
        expected=len(expected),
        matched=len(found) - len(extra),
        extra=tuple(extra),
        missed=tuple(left),
    )


def listed_causes(article: content.Article) -> list[str]:
    return [entry.title for entry in article.listed(content.Role.CAUSES)]


def listed_treatments(article: content.Article) -> list[str]:
    return [e.title for role in content.CARE_ROLES for e in article.listed(role)]


def article_score(article: content.Article, outline: Outline) -> tuple[Score, Score]:
    """(causes, treatments) of `article` scored against `outline`."""
    return (
        score(listed_causes(article), outline.causes),
        score(listed_treatments(article), outline.treatments),
    )
