"""How well drip finds the causes and treatments an article lists: precision and recall per
corpus article and overall, against the outlines written by hand in tests/fixtures/outlines/.

    python -m benchmarks.ingest_score            # the table (Markdown)
    python -m benchmarks.ingest_score --misses   # ... and every extra or missed item

The corpus is ../shared/corpus/ beside the repository, or $DRIP_CORPUS. The matching rule is
`corpus.same_item` (tests/corpus.py), the same the tests use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))  # corpus: the outlines and the scoring

import corpus  # noqa: E402
from drip import ingest  # noqa: E402


def rows() -> list[tuple[str, corpus.Score, corpus.Score]]:
    folder = corpus.folder()
    if not folder.is_dir():
        raise SystemExit(f"the corpus is not at {folder}: set DRIP_CORPUS to shared/corpus")
    found = []
    for outline in corpus.outlines():
        article = ingest.read_article(folder / outline.source)
        causes, treatments = corpus.article_score(article, outline)
        found.append((outline.name, causes, treatments))
    return found


def _cell(s: corpus.Score) -> str:
    return f"{s.precision:.2f} / {s.recall:.2f} ({s.matched}/{s.found}/{s.expected})"


def table(found: list[tuple[str, corpus.Score, corpus.Score]]) -> str:
    lines = [
        "| article | causes P / R (matched/found/listed) | treatments P / R | both P / R |",
        "|---|---|---|---|",
    ]
    total_c = total_t = corpus.Score(found=0, expected=0, matched=0, extra=(), missed=())
    for name, causes, treatments in found:
        lines.append(f"| {name} | {_cell(causes)} | {_cell(treatments)} | "
                     f"{_cell(causes + treatments)} |")  # fmt: skip
        total_c, total_t = total_c + causes, total_t + treatments
    lines.append(f"| **overall** | {_cell(total_c)} | {_cell(total_t)} | "
                 f"**{_cell(total_c + total_t)}** |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list extra and missed items")
    args = parser.parse_args(argv)
    found = rows()
    print(table(found))
    if args.misses:
        for name, causes, treatments in found:
            for kind, s in (("causes", causes), ("treatments", treatments)):
                for title in s.extra:
                    print(f"{name}: extra {kind[:-1]} {title!r}")
                for title in s.missed:
                    print(f"{name}: missed {kind[:-1]} {title!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
